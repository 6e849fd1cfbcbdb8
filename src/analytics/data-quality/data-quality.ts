import type { SqlParam, SqlRunner } from "../../snapshot/sql-runner.js";
import type { AnalyticsBuild } from "../analytics-build.js";
import {
  BASE_TABLE_NAMES,
  type CatalogColumn,
  readBaseCatalog,
} from "../profiles/profiles-catalog.js";
import { createDerivedTables, insertRows, rowObject } from "../profiles/profiles-schema.js";
import {
  dataAsOfFreshnessCheck,
  latestStartCheck,
  rowCountCheck,
  schemaCheck,
} from "./data-quality-aggregate-checks.js";
import { expectedType } from "./data-quality-check-spec.js";
import { type ColumnRef, type RowCheck, rowChecks } from "./data-quality-checks.js";
import {
  type DataQualityOptions,
  type ResolvedDataQualityOptions,
  resolveDataQualityOptions,
} from "./data-quality-options.js";
import type { CheckResult } from "./data-quality-result.js";
import { type RowCheckCounts, runMapChecks } from "./data-quality-row-checks.js";
import {
  DATA_QUALITY_TABLES,
  DQ_COUNTS,
  DQ_DOCUMENT,
  DQ_RESULTS,
  DQ_SAMPLES,
} from "./data-quality-schema.js";
import { mapPercents, percentRule, statusFor } from "./data-quality-status.js";
import { runUniqueCheck } from "./data-quality-unique-checks.js";

export type {
  CheckThresholds,
  DataQualityOptions,
  FreshnessLimits,
  ValueSets,
} from "./data-quality-options.js";
export { DEFAULT_FRESHNESS, DEFAULT_VALUE_SETS } from "./data-quality-options.js";

function rowCheckResult(counts: RowCheckCounts, opts: ResolvedDataQualityOptions): CheckResult {
  const { check } = counts;
  const t =
    opts.thresholds[check.id] ?? (check.isKey ? opts.keyThresholds : opts.defaultThresholds);
  const percents = mapPercents(counts.elementCount, counts.nonnull, counts.unexpected);
  const evaluated = counts.nonnull ?? counts.elementCount;
  const observed =
    counts.groups === null
      ? `${counts.unexpected} unexpected of ${evaluated} evaluated rows`
      : `${counts.groups} duplicated value(s) held by ${counts.unexpected} rows`;
  return {
    id: check.id,
    expectation: check.expectation,
    table: check.table,
    columns: check.columns,
    description: check.description,
    elementCount: counts.elementCount,
    unexpectedCount: counts.unexpected,
    percents,
    observedValue: observed,
    status: statusFor(percents.unexpectedPercent, t),
    warnThreshold: t.warnAbove,
    failThreshold: t.failAbove,
    thresholdUnit: "percent",
    rule: percentRule(t),
    samples: counts.samples,
    counts: counts.counts,
  };
}

function resultRow(r: CheckResult, ordinal: number): SqlParam[] {
  const p = r.percents;
  return [
    r.id,
    ordinal,
    r.expectation,
    r.table,
    r.columns.join(","),
    r.description,
    r.status !== "fail",
    r.status,
    r.elementCount,
    p.missingCount,
    p.missingPercent,
    r.unexpectedCount,
    p.unexpectedPercent,
    p.unexpectedPercentTotal,
    p.unexpectedPercentNonmissing,
    p.basis,
    r.observedValue,
    r.warnThreshold,
    r.failThreshold,
    r.thresholdUnit,
    r.rule,
  ];
}

async function writeResults(db: SqlRunner, results: readonly CheckResult[]): Promise<void> {
  const rows = results.map(resultRow);
  await insertRows(db, DQ_RESULTS, rows);
  const document = results.map((r, i) => ({
    ...rowObject(DQ_RESULTS, rows[i] ?? []),
    samples: r.samples.map((s) => ({ value: s.value, key: s.key })),
    counts: r.counts.map((c) => ({ value: c.value, count: c.count })),
  }));
  await insertRows(db, DQ_DOCUMENT, [[JSON.stringify(document)]]);
  await insertRows(
    db,
    DQ_SAMPLES,
    results.flatMap((r) => r.samples.map((s, i) => [r.id, i + 1, s.value, s.key])),
  );
  await insertRows(
    db,
    DQ_COUNTS,
    results.flatMap((r) => r.counts.map((c, i) => [r.id, i + 1, c.value, c.count])),
  );
}

function hasColumn(catalog: Map<string, CatalogColumn[]>, ref: ColumnRef): boolean {
  const found = catalog.get(ref.table)?.find((c) => c.name === ref.column);
  return found !== undefined && found.dataType === expectedType(ref.column, ref.table);
}

/**
 * Builds the data-quality tables (`dq_results`, `dq_unexpected_samples`,
 * `dq_unexpected_counts`, and `dq_report_document`, the same rows as one JSON value) while the snapshot is built: Great Expectations-style results for keys,
 * orphans, required columns, value sets, ranges, consistency, duplicates, freshness, row counts
 * and schema, each with a pass/warn/fail status. Row checks over the same tables share one scan,
 * which also collects their sample rows; uniqueness is found through a sorted hash, and a key the
 * profile already proved unique (when `buildProfiles` ran first) costs no scan at all. Checks
 * whose columns the snapshot lacks, or holds with another type, are left out (the schema check
 * reports the column).
 */
export async function buildDataQuality(db: SqlRunner, options: DataQualityOptions): Promise<void> {
  const opts = resolveDataQualityOptions(options);
  const today = opts.now.toISOString().slice(0, 10);
  await createDerivedTables(db, DATA_QUALITY_TABLES);
  const catalog = await readBaseCatalog(db);
  const checks: RowCheck[] = rowChecks(opts, today).filter((c) =>
    c.requires.every((ref) => hasColumn(catalog, ref)),
  );
  const counted = await runMapChecks(
    db,
    checks.filter((c) => c.kind !== "unique"),
    opts.sampleSize,
  );
  for (const check of checks.filter((c) => c.kind === "unique")) {
    counted.push(await runUniqueCheck(db, check, opts.sampleSize));
  }
  const results: CheckResult[] = [];
  for (const table of BASE_TABLE_NAMES) {
    const columns = catalog.get(table) ?? [];
    results.push(await rowCountCheck(db, table, columns.length > 0, opts));
    results.push(schemaCheck(table, columns));
    const order = (c: RowCheckCounts) => checks.indexOf(c.check);
    for (const c of counted
      .filter((c) => c.check.table === table)
      .sort((a, b) => order(a) - order(b))) {
      results.push(rowCheckResult(c, opts));
    }
  }
  if (hasColumn(catalog, { table: "customer_products", column: "start_date" })) {
    results.push(await latestStartCheck(db, opts, today));
  }
  results.push(dataAsOfFreshnessCheck(opts));
  await writeResults(db, results);
}

/**
 * The data-quality slice's one build step, reported by `dq_results`. It runs after the profiles
 * so that keys they proved unique cost no scan; the clock is read when it starts.
 */
export const DATA_QUALITY_BUILDS: readonly AnalyticsBuild[] = [
  {
    slice: "data-quality",
    tables: [DQ_RESULTS.name, DQ_SAMPLES.name, DQ_COUNTS.name, DQ_DOCUMENT.name],
    build: (db, { dataAsOf }) => buildDataQuality(db, { dataAsOf, now: new Date() }),
  },
];

import { DQ_REPORT_SQL } from "../analytics/data-quality/data-quality-schema.js";
import { AppError } from "../app-error.js";
import type { SqlRow, SqlRunner } from "../snapshot/sql-runner.js";
import type { CheckStatus, DataQualityReport, ExpectationResult } from "./explore-types.js";
import { lookupDocuments, num, numOrNull, rowsOf, text, textOrNull } from "./explore-values.js";

/** The whole report, results with their partial lists, stored as one JSON array. */

function resultFrom(r: SqlRow): ExpectationResult {
  const columns = text(r.column_names);
  return {
    checkId: text(r.check_id),
    expectation: text(r.expectation),
    table: textOrNull(r.table_name),
    columns: columns === "" ? [] : columns.split(","),
    description: text(r.description),
    success: r.success === true,
    status: text(r.status) as CheckStatus,
    elementCount: num(r.element_count),
    missingCount: numOrNull(r.missing_count),
    missingPercent: numOrNull(r.missing_percent),
    unexpectedCount: num(r.unexpected_count),
    unexpectedPercent: numOrNull(r.unexpected_percent),
    unexpectedPercentTotal: numOrNull(r.unexpected_percent_total),
    unexpectedPercentNonmissing: numOrNull(r.unexpected_percent_nonmissing),
    percentBasis: text(r.percent_basis),
    observedValue: textOrNull(r.observed_value),
    warnThreshold: numOrNull(r.warn_threshold),
    failThreshold: numOrNull(r.fail_threshold),
    thresholdUnit: text(r.threshold_unit),
    rule: text(r.rule),
    partialUnexpectedList: rowsOf(r.samples).map((s) => ({
      value: textOrNull(s.value),
      key: textOrNull(s.key),
    })),
    partialUnexpectedCounts: rowsOf(r.counts).map((c) => ({
      value: textOrNull(c.value),
      count: num(c.count),
    })),
  };
}

const SEVERITY: Readonly<Record<CheckStatus, number>> = { pass: 0, warn: 1, fail: 2 };

/**
 * Reads the stored data-quality results for some tables (all when `tables` is empty). A table
 * the report does not know is NOT_FOUND, naming the `tables` field.
 */
export async function readDataQualityReport(
  db: SqlRunner,
  tables: readonly string[],
): Promise<DataQualityReport> {
  const [document] = await lookupDocuments(db, DQ_REPORT_SQL, [], "document");
  const rows = rowsOf(document);
  const known = new Set(rows.map((r) => textOrNull(r.table_name)).filter((t) => t !== null));
  const unknown = tables.filter((t) => !known.has(t));
  if (unknown.length > 0) {
    throw new AppError(
      "not_found",
      `unknown table(s): ${unknown.join(", ")}; known tables: ${[...known].join(", ")}`,
      {
        field: "tables",
      },
    );
  }
  const results = rows
    .filter((r) => {
      const table = textOrNull(r.table_name);
      return tables.length === 0 || table === null || tables.includes(table);
    })
    .map(resultFrom);
  const by = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  const overall = results.reduce<CheckStatus>(
    (worst, r) => (SEVERITY[r.status] > SEVERITY[worst] ? r.status : worst),
    "pass",
  );
  return {
    results,
    summary: {
      evaluated: results.length,
      passed: by("pass"),
      warned: by("warn"),
      failed: by("fail"),
      overallStatus: overall,
    },
  };
}

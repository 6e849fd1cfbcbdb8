import type { SqlRunner } from "../../snapshot/sql-runner.js";
import { BASE_TABLES, type BaseTable } from "../../source/table-feed.js";
import type { CatalogColumn } from "../profiles/profiles-catalog.js";
import { onlyRow, toCount, toFinite, toText } from "../profiles/profiles-values.js";
import { expectedType } from "./data-quality-check-spec.js";
import type { ResolvedDataQualityOptions } from "./data-quality-options.js";
import { type CheckResult, NO_PERCENTS, type UnexpectedSample } from "./data-quality-result.js";
import type { CheckStatus } from "./data-quality-status.js";

const ROW_COUNT_SQL: Readonly<Record<BaseTable, string>> = {
  customers: "SELECT count(*) AS n FROM customers",
  products: "SELECT count(*) AS n FROM products",
  customer_products: "SELECT count(*) AS n FROM customer_products",
};

const LATEST_START_SQL = `
  SELECT CAST(max(start_date) AS VARCHAR) AS latest,
         date_diff('day', max(start_date), CAST(? AS DATE)) AS age_days
  FROM customer_products`;

const HOUR_MS = 3_600_000;

function aggregate(
  fields: Pick<
    CheckResult,
    "id" | "expectation" | "table" | "description" | "status" | "observedValue"
  > &
    Partial<CheckResult>,
): CheckResult {
  return {
    columns: [],
    elementCount: 0,
    unexpectedCount: 0,
    percents: NO_PERCENTS,
    warnThreshold: null,
    failThreshold: null,
    thresholdUnit: "none",
    rule: "",
    samples: [],
    counts: [],
    ...fields,
  };
}

/** GX `expect_table_row_count_to_be_between(min_value=minRows)`: an empty table fails. */
export async function rowCountCheck(
  db: SqlRunner,
  table: BaseTable,
  present: boolean,
  opts: ResolvedDataQualityOptions,
): Promise<CheckResult> {
  const rows = present ? toCount(onlyRow(await db.all(ROW_COUNT_SQL[table]), "row count").n) : 0;
  return aggregate({
    id: `${table}.row_count`,
    expectation: "expect_table_row_count_to_be_between",
    table,
    description: `${table} has at least ${opts.minRows} row(s)`,
    status: rows < opts.minRows ? "fail" : "pass",
    observedValue: present ? String(rows) : "table missing",
    elementCount: rows,
    failThreshold: opts.minRows,
    thresholdUnit: "rows",
    rule: `fail when row count < ${opts.minRows}`,
  });
}

/**
 * GX `expect_table_columns_to_match_set` plus Soda's schema rules: a missing or mistyped contract
 * column fails, an extra column warns. The samples name each offending column.
 */
export function schemaCheck(table: BaseTable, columns: readonly CatalogColumn[]): CheckResult {
  const expected: readonly string[] = BASE_TABLES[table];
  const actual = new Map(columns.map((c) => [c.name, c.dataType]));
  const problems: UnexpectedSample[] = [];
  for (const name of expected) {
    const want = expectedType(name, table);
    const got = actual.get(name);
    if (got === undefined) problems.push({ value: name, key: "missing" });
    else if (got !== want) problems.push({ value: name, key: `type ${got}, expected ${want}` });
  }
  const extra = columns.filter((c) => !expected.includes(c.name));
  const status: CheckStatus = problems.length > 0 ? "fail" : extra.length > 0 ? "warn" : "pass";
  return aggregate({
    id: `${table}.schema`,
    expectation: "expect_table_columns_to_match_set",
    table,
    columns: expected,
    description: `${table} has the contract's columns with the contract's types`,
    status,
    observedValue: `${expected.length - problems.length} of ${expected.length} columns as expected; ${extra.length} extra`,
    elementCount: expected.length,
    unexpectedCount: problems.length,
    warnThreshold: 0,
    failThreshold: 0,
    thresholdUnit: "columns",
    rule: "fail when a contract column is missing or mistyped; warn on extra columns",
    samples: [...problems, ...extra.map((c) => ({ value: c.name, key: "extra" }))],
  });
}

function ageStatus(age: number, warn: number, fail: number | null): CheckStatus {
  if (fail !== null && age > fail) return "fail";
  return age > warn ? "warn" : "pass";
}

/** Soda-style freshness of the snapshot: the age of `data_as_of` at build time, in hours. */
export function dataAsOfFreshnessCheck(opts: ResolvedDataQualityOptions): CheckResult {
  const f = opts.freshness;
  const ageHours = (opts.now.getTime() - opts.dataAsOf.getTime()) / HOUR_MS;
  return aggregate({
    id: "snapshot.data_as_of.freshness",
    expectation: "freshness(data_as_of)",
    table: null,
    description: "the snapshot's data_as_of is recent",
    status: ageStatus(ageHours, f.dataAsOfWarnHours, f.dataAsOfFailHours),
    observedValue: `${opts.dataAsOf.toISOString()} (${ageHours.toFixed(1)} hours old)`,
    warnThreshold: f.dataAsOfWarnHours,
    failThreshold: f.dataAsOfFailHours,
    thresholdUnit: "hours",
    rule: `warn when older than ${f.dataAsOfWarnHours} h; fail when older than ${f.dataAsOfFailHours} h`,
  });
}

/** GX `expect_column_max_to_be_between` on start_date, used as a freshness check (in days). */
export async function latestStartCheck(
  db: SqlRunner,
  opts: ResolvedDataQualityOptions,
  today: string,
): Promise<CheckResult> {
  const f = opts.freshness;
  const row = onlyRow(await db.all(LATEST_START_SQL, [today]), "latest start");
  const latest = toText(row.latest);
  const age = toFinite(row.age_days);
  const failText =
    f.latestStartFailDays === null
      ? "never fail"
      : `fail when older than ${f.latestStartFailDays} days`;
  return aggregate({
    id: "customer_products.start_date.freshness",
    expectation: "expect_column_max_to_be_between",
    table: "customer_products",
    columns: ["start_date"],
    description: "the newest relationship started recently",
    status: age === null ? "pass" : ageStatus(age, f.latestStartWarnDays, f.latestStartFailDays),
    observedValue: latest === null ? "no relationships" : `${latest} (${age} days before ${today})`,
    warnThreshold: f.latestStartWarnDays,
    failThreshold: f.latestStartFailDays,
    thresholdUnit: "days",
    rule: `warn when older than ${f.latestStartWarnDays} days; ${failText}`,
  });
}

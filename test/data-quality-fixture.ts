import type { DataQualityOptions } from "../src/analytics/data-quality/data-quality.js";
import type { SqlParam, SqlRow, SqlRunner } from "../src/snapshot/sql-runner.js";
import type { FixtureRows } from "./explore-fixture.js";

/** The build clock of the data-quality fixtures. */
export const NOW = new Date("2025-01-10T12:00:00Z");
/** Default options: data_as_of six hours before NOW. */
export const OPTIONS: DataQualityOptions = { now: NOW, dataAsOf: new Date("2025-01-10T06:00:00Z") };

/**
 * A small snapshot with known defects, each counted by hand below:
 * customers: c2 twice (duplicate key), one NULL key, 'Active' (wrong case), a 2031 registration,
 * one NULL registration_date. products: p1, p2. customer_products (10 rows): r9 twice, one NULL
 * value, one negative value, one end before start, orphans c3 (1 row) and c9 (3 rows), orphan
 * product p7, a start before registration (r1) and before launch (r8), c9|p1|purchase|2020-04-04
 * held by 3 rows.
 */
export const ROWS: FixtureRows = {
  customers: [
    ["c1", "Ann", "retail", "UK", "2020-01-01", "active"],
    ["c2", "Bob", "retail", "UK", "2020-02-01", "Active"],
    ["c2", "Bea", "wholesale", "FR", null, "inactive"],
    [null, "Nul", "retail", "DE", "2031-01-01", "active"],
    ["c5", "Eve", "retail", "ES", "2020-01-01", "churned"],
  ],
  products: [
    ["p1", "Mug", "home", "merch", "2019-01-01", "active"],
    ["p2", "Pen", "office", "merch", "2020-06-01", "active"],
  ],
  customer_products: [
    ["r1", "c1", "p1", "purchase", "2019-12-02", null, "10.50"],
    ["r2", "c1", "p1", "purchase", "2020-01-03", "2020-01-01", "0"],
    ["r3", "c2", "p1", "return", "2020-03-03", null, "-3.25"],
    ["r4", "c3", "p1", "purchase", "2020-04-03", "2020-05-01", "100.01"],
    ["r5", "c9", "p7", "purchase", "2020-04-04", null, "7"],
    ["r6", "c9", "p1", "purchase", "2020-04-04", null, "7"],
    ["r9", "c9", "p1", "purchase", "2020-04-04", null, null],
    ["r9", "c9", "p1", "purchase", "2020-04-04", null, "1"],
    ["r8", "c5", "p2", "purchase", "2020-05-01", null, "2"],
    ["r7", "c5", "p1", "gift", "2020-05-02", null, "3"],
  ],
};

/** One `dq_results` row, failing the test when the check did not run. */
export async function result(db: SqlRunner, id: string): Promise<SqlRow> {
  const [row] = await db.all("SELECT * FROM dq_results WHERE check_id = ?", [id]);
  if (row === undefined) throw new Error(`no result ${id}`);
  return row;
}

/** A check's stored samples as [value, row key] pairs, in rank order. */
export async function samples(db: SqlRunner, id: string): Promise<[SqlParam, SqlParam][]> {
  const rows = await db.all(
    "SELECT value, row_key FROM dq_unexpected_samples WHERE check_id = ? ORDER BY rank",
    [id],
  );
  return rows.map((r) => [r.value as SqlParam, r.row_key as SqlParam]);
}

/** The counts of a result row as numbers. */
export const counts = (r: SqlRow) => ({
  element: Number(r.element_count),
  missing: r.missing_count === null ? null : Number(r.missing_count),
  unexpected: Number(r.unexpected_count),
});

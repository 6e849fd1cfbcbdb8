import type { SqlRunner } from "../../snapshot/sql-runner.js";
import type { AnalyticsBuild } from "../analytics-build.js";
import { TREND_ROLLUP_ALL_SELECT } from "./trend-rollup-sql.js";

const CREATE_TREND_ROLLUP = `CREATE TABLE trend_rollup AS
  SELECT * FROM (${TREND_ROLLUP_ALL_SELECT})
  ORDER BY granularity, is_total, bucket, region, customer_type, product_category`;

const NO_FILTER = "[]";

/**
 * Builds `trend_rollup`: for day, week, month and quarter periods from the first start_date to
 * the reference date, the additive and distinct-count measures per (region, customer type,
 * product category) and per (region, customer type) across categories, so that every metric,
 * granularity and grouping, filtered by region, customer type or one category, is a sum over
 * this table. Sorted by granularity, scope and period for range scans.
 */
export async function buildTrends(
  db: SqlRunner,
  options: { readonly firstStartDate: string; readonly referenceDate: string },
): Promise<void> {
  await db.run(CREATE_TREND_ROLLUP, [
    NO_FILTER,
    NO_FILTER,
    NO_FILTER,
    options.firstStartDate,
    options.referenceDate,
  ]);
}

/** The trend slice's one build step. */
export const TREND_BUILDS: readonly AnalyticsBuild[] = [
  { slice: "trends", tables: ["trend_rollup"], build: (db, { dates }) => buildTrends(db, dates) },
];

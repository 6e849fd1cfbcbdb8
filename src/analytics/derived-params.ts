import type { SqlRunner } from "../snapshot/sql-runner.js";

/**
 * Names of the settings the analytics builds record in `derived_params`, so that the query layer
 * (and a person inspecting a snapshot) knows which reference date and support floors the
 * precomputed tables were built with, and so when a question lies outside them.
 */
export const DERIVED_PARAM = {
  /** The day "active" and RFM recency are judged on (YYYY-MM-DD). */
  referenceDate: "reference_date",
  /** The first start_date in the data (YYYY-MM-DD), where the trend calendar begins. */
  firstStartDate: "first_start_date",
  /** How many recommendations were precomputed per customer. */
  recommendationsTopN: "recommendations_top_n",
  recommendationsMaxHeld: "recommendations_max_held",
  /** The fractional support floor asked for (the count floor per mode is in basket_modes). */
  rulesMinSupport: "rules_min_support",
} as const;

/** The key/value table of the settings above, created by the first step of every build. */
export const DERIVED_PARAMS_TABLE = "derived_params";

const CREATE_PARAMS = `CREATE TABLE IF NOT EXISTS ${DERIVED_PARAMS_TABLE} (name VARCHAR, value VARCHAR)`;
const DELETE_PARAM = `DELETE FROM ${DERIVED_PARAMS_TABLE} WHERE name = ?`;
const INSERT_PARAM = `INSERT INTO ${DERIVED_PARAMS_TABLE} VALUES (?, ?)`;
/**
 * The serving side: every recorded setting by name, with each basket mode's N and support floor
 * as `baskets_<mode>` and `min_pair_count_<mode>`, in one small read.
 */
export const SELECT_DERIVED_PARAMS = `SELECT name, value FROM ${DERIVED_PARAMS_TABLE}
  UNION ALL SELECT 'baskets_' || basket_mode, baskets::VARCHAR FROM basket_modes
  UNION ALL SELECT 'min_pair_count_' || basket_mode, min_pair_count::VARCHAR FROM basket_modes`;

const SELECT_REFERENCE_DATE = `SELECT strftime(coalesce(?::DATE, max(start_date) + 1, current_date), '%Y-%m-%d') AS d,
  strftime(coalesce(min(start_date), current_date), '%Y-%m-%d') AS first_start
  FROM customer_products`;

/**
 * Records one setting of the derived builds, replacing an earlier value of the same name. The
 * table is key/value text so that other builds can add their own settings without a migration.
 */
export async function recordDerivedParam(
  db: SqlRunner,
  name: string,
  value: string,
): Promise<void> {
  await db.run(CREATE_PARAMS);
  await db.run(DELETE_PARAM, [name]);
  await db.run(INSERT_PARAM, [name, value]);
}

/** The dates every analytics build agrees on. */
export interface AnalyticsDates {
  /** The day active holdings and RFM recency are judged on (YYYY-MM-DD). */
  readonly referenceDate: string;
  /** The earliest start_date in customer_products (YYYY-MM-DD). */
  readonly firstStartDate: string;
}

/**
 * Fixes the snapshot's reference date once, so that baskets, RFM and trends all agree on it:
 * the caller's date when given, else the day after the last start_date (the RFM convention of
 * "last activity plus one day"), else today for an empty snapshot. Records both dates.
 */
export async function resolveAnalyticsDates(
  db: SqlRunner,
  referenceDate: string | undefined,
): Promise<AnalyticsDates> {
  const [row] = await db.all(SELECT_REFERENCE_DATE, [referenceDate ?? null]);
  const dates = { referenceDate: String(row?.d), firstStartDate: String(row?.first_start) };
  await recordDerivedParam(db, DERIVED_PARAM.referenceDate, dates.referenceDate);
  await recordDerivedParam(db, DERIVED_PARAM.firstStartDate, dates.firstStartDate);
  return dates;
}

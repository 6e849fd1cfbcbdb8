/**
 * The SQL of the value models, in named constants with every value bound. The purchase
 * summary follows the papers' conventions: each relationship start is a purchase on that day,
 * several on one day are one purchase with their values summed, the first day is the
 * customer's birth, and only days up to the calibration end count.
 */

/**
 * One row per customer with a purchase on or before the calibration end. Params: see
 * {@link summaryParams}. `t_days` is T in whole days (a join key); `repeat_amount` is the
 * exact total of the repeat days; `zbar` its mean, as a double.
 */
export const PURCHASE_SUMMARY = `WITH days AS (
  SELECT customer_id, start_date AS day, coalesce(sum("value"), 0) AS amount
  FROM customer_products
  WHERE customer_id IS NOT NULL AND start_date IS NOT NULL AND start_date <= ?::DATE
  GROUP BY customer_id, start_date
), histories AS (
  SELECT customer_id, min(day) AS birth, max(day) AS last_day, (count(*) - 1)::INTEGER AS x,
    sum(amount) - arg_min(amount, day) AS repeat_amount
  FROM days GROUP BY customer_id
), params AS (SELECT ?::DATE AS calibration_end, ?::DOUBLE AS unit_days)
SELECT customer_id, birth, last_day, x,
  date_diff('day', birth, last_day) / unit_days AS t_x,
  date_diff('day', birth, calibration_end) / unit_days AS "T",
  date_diff('day', birth, calibration_end) AS t_days,
  CASE WHEN x > 0 THEN (repeat_amount / x)::DOUBLE ELSE 0 END AS zbar,
  repeat_amount
FROM histories CROSS JOIN params`;

/** The summary's params for a calibration end and a unit length in days. */
export function summaryParams(calibrationEnd: string, unitDays: number): (string | number)[] {
  return [calibrationEnd, calibrationEnd, unitDays];
}

/** The temporary table a build stages the summary in, so that it is computed once. */
export const STAGED_SUMMARY = "value_summary";

/** Stages the summary. Params: the summary's. */
export const STAGE_SUMMARY = `CREATE OR REPLACE TEMP TABLE ${STAGED_SUMMARY} AS ${PURCHASE_SUMMARY}`;

/** Drops the staged summary once the build has written its tables. */
export const DROP_STAGED_SUMMARY = `DROP TABLE IF EXISTS ${STAGED_SUMMARY}`;

/** The queries that read a summary, for one relation: the staged table or the inline query. */
export interface SummaryQueries {
  /**
   * The BG/NBD input: distinct (x, t_x, T) with how many customers share each, as four lists
   * in one row (a million histories stay four arrays, not a million objects).
   */
  readonly historyGroups: string;
  /**
   * The Gamma-Gamma input as two lists (one row): repeat buyers with a positive mean spend.
   * Lists rather than rows keep a million customers from becoming a million objects.
   */
  readonly spendLists: string;
  /** Customers, repeat buyers, and repeat buyers whose repeat days are worth <= 0. */
  readonly counts: string;
  /**
   * The holdout check's input: per distinct calibration history, its customers and their
   * actual purchase days in the holdout (calibration end, holdout end]. Params: calibration
   * end and holdout end, then the summary's.
   */
  readonly holdoutGroups: string;
}

function summaryQueries(relation: string): SummaryQueries {
  return {
    historyGroups: `SELECT coalesce(list(x), []) AS xs, coalesce(list(t_x), []) AS txs,
  coalesce(list("T"), []) AS ts, coalesce(list(n), []) AS ns
FROM (SELECT x::DOUBLE AS x, t_x, "T", count(*)::DOUBLE AS n FROM ${relation} GROUP BY ALL)`,
    spendLists: `SELECT coalesce(list(x::DOUBLE), []) AS xs, coalesce(list(zbar), []) AS zs
FROM ${relation} WHERE x > 0 AND zbar > 0`,
    counts: `SELECT count(*)::DOUBLE AS customers,
  count(*) FILTER (WHERE x > 0)::DOUBLE AS repeat_buyers,
  count(*) FILTER (WHERE x > 0 AND repeat_amount <= 0)::DOUBLE AS non_positive_spend
FROM ${relation}`,
    holdoutGroups: `WITH holdout AS (
  SELECT customer_id, count(DISTINCT start_date)::DOUBLE AS actual
  FROM customer_products
  WHERE customer_id IS NOT NULL AND start_date > ?::DATE AND start_date <= ?::DATE
  GROUP BY customer_id
)
SELECT s.x::DOUBLE AS x, s.t_x, s."T", count(*)::DOUBLE AS n, coalesce(sum(h.actual), 0)::DOUBLE AS actual
FROM ${relation} s LEFT JOIN holdout h USING (customer_id)
GROUP BY ALL`,
  };
}

/** The summary queries over the inline summary (a fit on request); they take its params. */
export const INLINE_SUMMARY_QUERIES = summaryQueries(`(${PURCHASE_SUMMARY})`);

/** The summary queries over the staged table (a build); they take no summary params. */
export const STAGED_SUMMARY_QUERIES = summaryQueries(STAGED_SUMMARY);

/** The snapshot's reference day as the analytics builds recorded it, else the day after the last start. */
export const REFERENCE_DAY = `SELECT strftime(coalesce(
    (SELECT max(value) FROM derived_params WHERE name = 'reference_date')::DATE,
    (SELECT max(start_date) + 1 FROM customer_products), current_date), '%Y-%m-%d') AS d`;

/** The same without derived_params (a database where the other analytics were not built). */
export const REFERENCE_DAY_FROM_DATA = `SELECT strftime(coalesce(
    (SELECT max(start_date) + 1 FROM customer_products), current_date), '%Y-%m-%d') AS d`;

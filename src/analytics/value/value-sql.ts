/**
 * The SQL of the value models, in named constants with every value bound. The purchase
 * summary follows the papers' conventions: each relationship start is a purchase on that day,
 * several on one day are one purchase with their values summed, the first day is the
 * customer's birth, and only days up to the calibration end count.
 */

/**
 * One row per customer with a purchase on or before the calibration end. Params: calibration
 * end (DATE text), the time unit in days (1 or 7), calibration end again, the unit again.
 * `repeat_amount` is the exact total of the repeat days; `zbar` its mean, as a double.
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
)
SELECT customer_id, birth, last_day, x,
  date_diff('day', birth, last_day) / ?::DOUBLE AS t_x,
  date_diff('day', birth, ?::DATE) / ?::DOUBLE AS "T",
  CASE WHEN x > 0 THEN (repeat_amount / x)::DOUBLE ELSE 0 END AS zbar,
  repeat_amount
FROM histories`;

/** The summary's params for a calibration end and a unit length in days. */
export function summaryParams(calibrationEnd: string, unitDays: number): (string | number)[] {
  return [calibrationEnd, unitDays, calibrationEnd, unitDays];
}

/** The BG/NBD input: distinct (x, t_x, T) with how many customers share each. */
export const HISTORY_GROUPS = `SELECT x::DOUBLE AS x, t_x, "T", count(*)::DOUBLE AS n
FROM (${PURCHASE_SUMMARY}) GROUP BY ALL`;

/**
 * The Gamma-Gamma input as two lists (one row): repeat buyers with a positive mean spend.
 * Lists rather than rows keep a million customers from becoming a million objects.
 */
export const SPEND_LISTS = `SELECT coalesce(list(x::DOUBLE), []) AS xs, coalesce(list(zbar), []) AS zs
FROM (${PURCHASE_SUMMARY}) WHERE x > 0 AND zbar > 0`;

/** Customers in the summary, repeat buyers, and repeat buyers whose repeat days are worth <= 0. */
export const SUMMARY_COUNTS = `SELECT count(*)::DOUBLE AS customers,
  count(*) FILTER (WHERE x > 0)::DOUBLE AS repeat_buyers,
  count(*) FILTER (WHERE x > 0 AND repeat_amount <= 0)::DOUBLE AS non_positive_spend
FROM (${PURCHASE_SUMMARY})`;

/**
 * The holdout check's input: per distinct calibration history, its customers and their
 * actual purchase days in the holdout (calibration end, holdout end]. Params: calibration end
 * and holdout end, then the summary's.
 */
export const HOLDOUT_GROUPS = `WITH holdout AS (
  SELECT customer_id, count(DISTINCT start_date)::DOUBLE AS actual
  FROM customer_products
  WHERE customer_id IS NOT NULL AND start_date > ?::DATE AND start_date <= ?::DATE
  GROUP BY customer_id
)
SELECT s.x::DOUBLE AS x, s.t_x, s."T", count(*)::DOUBLE AS n, coalesce(sum(h.actual), 0)::DOUBLE AS actual
FROM (${PURCHASE_SUMMARY}) s LEFT JOIN holdout h USING (customer_id)
GROUP BY ALL`;

/** The snapshot's reference day as the analytics builds recorded it, else the day after the last start. */
export const REFERENCE_DAY = `SELECT strftime(coalesce(
    (SELECT max(value) FROM derived_params WHERE name = 'reference_date')::DATE,
    (SELECT max(start_date) + 1 FROM customer_products), current_date), '%Y-%m-%d') AS d`;

/** The same without derived_params (a database where the other analytics were not built). */
export const REFERENCE_DAY_FROM_DATA = `SELECT strftime(coalesce(
    (SELECT max(start_date) + 1 FROM customer_products), current_date), '%Y-%m-%d') AS d`;

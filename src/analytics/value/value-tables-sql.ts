import { STAGED_SUMMARY } from "./value-sql.js";

/**
 * The SQL of the precomputed value tables: `value_model` (one row: the default-argument
 * model) and `value_customers` (one row per customer with a purchase in the calibration
 * window: history and predictions). Predictions are NULL when the model they need did not
 * converge, so no answer is ever read from an unconverged fit.
 */

/** The one-row model table; predictions may only be made from a row whose fits converged. */
export const CREATE_VALUE_MODEL = `CREATE OR REPLACE TABLE value_model (
  calibration_end VARCHAR, time_unit VARCHAR, horizon_months INTEGER, monthly_discount DOUBLE,
  customers BIGINT, repeat_buyers BIGINT, spend_left_out BIGINT,
  bgnbd_r DOUBLE, bgnbd_alpha DOUBLE, bgnbd_a DOUBLE, bgnbd_b DOUBLE,
  bgnbd_log_likelihood DOUBLE, bgnbd_converged BOOLEAN, bgnbd_reason VARCHAR, bgnbd_customers BIGINT,
  gg_p DOUBLE, gg_q DOUBLE, gg_gamma DOUBLE,
  gg_log_likelihood DOUBLE, gg_converged BOOLEAN, gg_reason VARCHAR, gg_customers BIGINT, fit_seconds DOUBLE)`;

/** Params: the 23 columns of {@link CREATE_VALUE_MODEL} in order. */
export const INSERT_VALUE_MODEL = `INSERT INTO value_model VALUES (${Array(23).fill("?").join(", ")})`;

/** The precomputed model's one row, for the query side. */
export const SELECT_VALUE_MODEL = "SELECT * FROM value_model";

/** The distinct (x, T) pairs whose expectations-if-alive the build computes. */
export const DISTINCT_PAIRS = `SELECT DISTINCT x::DOUBLE AS x, "T", t_days FROM ${STAGED_SUMMARY}`;

/**
 * The pairs' expectations, one JSON list per column (bound as text, so no value is spliced
 * into SQL and no statement per row is needed). Params: x, t_days, e30, e90, e365, discounted.
 */
export const CREATE_PAIR_EXPECTATIONS = `CREATE OR REPLACE TEMP TABLE value_pair_expectations AS
SELECT unnest(from_json(?, '["INTEGER"]')) AS x, unnest(from_json(?, '["INTEGER"]')) AS t_days,
  unnest(from_json(?, '["DOUBLE"]')) AS e30, unnest(from_json(?, '["DOUBLE"]')) AS e90,
  unnest(from_json(?, '["DOUBLE"]')) AS e365, unnest(from_json(?, '["DOUBLE"]')) AS discounted`;

/** Drops the pairs' expectations once value_customers is written. */
export const DROP_PAIR_EXPECTATIONS = "DROP TABLE IF EXISTS value_pair_expectations";

/**
 * The per-customer table, from the staged summary. Params: bgnbd_ok, a, b, r, alpha
 * (P(alive)), gg_ok, gamma, p, q (expected spend). P(alive) and
 * expected spend are the same formulas as customer-predictions.ts; a negative mean spend
 * counts as zero.
 */
export const CREATE_VALUE_CUSTOMERS = `CREATE OR REPLACE TABLE value_customers AS
WITH s AS (SELECT * FROM ${STAGED_SUMMARY}), k AS (SELECT ?::BOOLEAN AS bg_ok, ?::DOUBLE AS a, ?::DOUBLE AS b, ?::DOUBLE AS r, ?::DOUBLE AS alpha,
          ?::BOOLEAN AS gg_ok, ?::DOUBLE AS gamma, ?::DOUBLE AS p, ?::DOUBLE AS q
), scored AS (
  SELECT s.customer_id, s.birth AS first_purchase, s.last_day AS last_purchase, s.x, s.t_x, s."T",
    s.zbar, s.repeat_amount, e.e30, e.e90, e.e365, e.discounted,
    CASE WHEN NOT k.bg_ok THEN NULL WHEN s.x = 0 THEN 1.0
      ELSE 1 / (1 + exp(ln(k.a) - ln(k.b + s.x - 1) + (k.r + s.x) * ln((k.alpha + s."T") / (k.alpha + s.t_x))))
    END AS p_alive,
    CASE WHEN k.gg_ok THEN (k.gamma + s.x * greatest(s.zbar, 0)) * k.p / (k.p * s.x + k.q - 1) END AS expected_spend
  FROM s CROSS JOIN k LEFT JOIN value_pair_expectations e ON e.x = s.x AND e.t_days = s.t_days
)
SELECT customer_id, first_purchase, last_purchase, x, t_x, "T", zbar, repeat_amount, p_alive,
  p_alive * e30 AS expected_30, p_alive * e90 AS expected_90, p_alive * e365 AS expected_365,
  expected_spend, expected_spend * p_alive * discounted AS clv,
  expected_spend * (1 - p_alive) * discounted AS value_at_risk
FROM scored ORDER BY customer_id`;

/** The per-customer table's rows, for the build's report. */
export const COUNT_VALUE_CUSTOMERS = "SELECT count(*)::BIGINT AS n FROM value_customers";

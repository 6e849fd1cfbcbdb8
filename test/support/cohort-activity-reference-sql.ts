/**
 * The cohort_activity statement as it was before cohorts were read from each customer's first
 * start (one row per customer and granularity, grouped from every relationship twice, and
 * distinct customers counted on their ids). Kept only as the reference the new statement is
 * compared with (test/cohort-activity-matches-reference.test.ts): the answers must not change.
 *
 * @module
 */

/** The reference's cohort_activity rows, unsorted. */
export const REFERENCE_COHORT_ACTIVITY_SELECT = `WITH a AS (
    SELECT customer_id, start_date, "value" AS amount FROM customer_products
    WHERE customer_id IS NOT NULL AND start_date IS NOT NULL),
  ap AS (
    SELECT 'month' AS granularity, customer_id, date_trunc('month', start_date)::DATE AS p, amount
    FROM a
    UNION ALL
    SELECT 'week', customer_id, date_trunc('week', start_date)::DATE, amount FROM a),
  c AS (SELECT granularity, customer_id, min(p) AS cohort_start FROM ap GROUP BY ALL),
  cells AS (
    SELECT ap.granularity, c.cohort_start, ap.p AS period_start,
           count(DISTINCT ap.customer_id) AS active_customers, sum(ap.amount) AS revenue
    FROM ap JOIN c USING (granularity, customer_id)
    GROUP BY ALL),
  sizes AS (SELECT granularity, cohort_start, count(*) AS size FROM c GROUP BY ALL),
  last AS (SELECT granularity, max(p) AS last_period FROM ap GROUP BY ALL),
  grid AS (
    SELECT s.granularity, s.cohort_start, s.size,
           unnest(generate_series(s.cohort_start::TIMESTAMP, l.last_period::TIMESTAMP,
             CASE s.granularity WHEN 'month' THEN INTERVAL 1 MONTH ELSE INTERVAL 7 DAY END))::DATE
             AS period_start
    FROM sizes s JOIN last l USING (granularity))
  SELECT g.granularity, g.cohort_start,
         CASE g.granularity WHEN 'month' THEN (g.cohort_start + INTERVAL 1 MONTH)::DATE - 1
              ELSE g.cohort_start + 6 END AS cohort_end,
         g.size::BIGINT AS size,
         CASE g.granularity WHEN 'month' THEN date_diff('month', g.cohort_start, g.period_start)
              ELSE (g.period_start - g.cohort_start) // 7 END::INTEGER AS period,
         g.period_start,
         coalesce(x.active_customers, 0)::BIGINT AS active_customers,
         coalesce(x.active_customers, 0) / g.size AS retention,
         coalesce(x.revenue, 0)::DECIMAL(38, 2) AS revenue
  FROM grid g
  LEFT JOIN cells x USING (granularity, cohort_start, period_start)`;

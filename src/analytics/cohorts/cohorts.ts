import type { SqlRunner } from "../../snapshot/sql-runner.js";
import type { AnalyticsBuild } from "../analytics-build.js";

/** The cohort period lengths precomputed, each also an allow-listed `date_trunc` unit. */
export const COHORT_GRANULARITIES = ["month", "week"] as const;

/** One of {@link COHORT_GRANULARITIES}. */
export type CohortGranularity = (typeof COHORT_GRANULARITIES)[number];

/**
 * The rows of `cohort_activity`, unsorted. Activity is the reference's: a customer is active in
 * a period when one of their relationships starts in it; the cohort is the period of the first
 * start. The grid runs from each cohort to the last period with a start in the data, zeros
 * included, so the answer is a plain lookup.
 *
 * Each customer's first start is found once (a period's start is monotone in the day, so the
 * first start's period is the first period with a start, at every granularity) and numbered,
 * so the relationships meet it in one join on the id. Each customer's relationships are summed
 * per period first, so a cell's distinct customers are its rows (a plain count, where a
 * distinct count would keep a set per cell); cohort sizes and the last period come from the
 * first starts and the start days, not from every relationship once per granularity.
 */
export const COHORT_ACTIVITY_SELECT = `WITH a AS (
    SELECT customer_id, start_date, "value" AS amount FROM customer_products
    WHERE customer_id IS NOT NULL AND start_date IS NOT NULL),
  firsts AS MATERIALIZED (
    SELECT customer_id, min(start_date) AS first_day, row_number() OVER () AS cid
    FROM a GROUP BY customer_id),
  af AS MATERIALIZED (
    SELECT f.cid, f.first_day, a.start_date, a.amount FROM a JOIN firsts f USING (customer_id)),
  cells AS (
    SELECT granularity, cohort_start, period_start, count(*) AS active_customers,
           sum(amount) AS revenue
    FROM (
      SELECT 'month' AS granularity, cid, date_trunc('month', first_day)::DATE AS cohort_start,
             date_trunc('month', start_date)::DATE AS period_start, sum(amount) AS amount
      FROM af GROUP BY cid, first_day, date_trunc('month', start_date)
      UNION ALL
      SELECT 'week', cid, date_trunc('week', first_day)::DATE,
             date_trunc('week', start_date)::DATE, sum(amount)
      FROM af GROUP BY cid, first_day, date_trunc('week', start_date))
    GROUP BY ALL),
  sizes AS (
    SELECT granularity, cohort_start, count(*) AS size
    FROM (
      SELECT 'month' AS granularity, date_trunc('month', first_day)::DATE AS cohort_start
      FROM firsts
      UNION ALL SELECT 'week', date_trunc('week', first_day)::DATE FROM firsts)
    GROUP BY ALL),
  last AS (
    SELECT 'month' AS granularity, date_trunc('month', max(start_date))::DATE AS last_period
    FROM af
    UNION ALL SELECT 'week', date_trunc('week', max(start_date))::DATE FROM af),
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

const CREATE_COHORT_ACTIVITY = `CREATE TABLE cohort_activity AS ${COHORT_ACTIVITY_SELECT}
  ORDER BY granularity, cohort_start, period`;

/**
 * `?` granularity, from (NULL = any) ×2, to ×2, max periods ×2 (0 = all): the precomputed
 * retention matrix, one row per cohort and period.
 */
export const COHORT_RETENTION = `SELECT cohort_start, size, period, period_start, active_customers,
    retention, revenue
  FROM cohort_activity
  WHERE granularity = ? AND (?::DATE IS NULL OR cohort_end >= ?::DATE)
    AND (?::DATE IS NULL OR cohort_start <= ?::DATE)
    AND (?::INTEGER = 0 OR period < ?::INTEGER)
  ORDER BY cohort_start, period`;

/**
 * Builds `cohort_activity`: for month and week cohorts, one row per cohort and period since it
 * (cohort size, customers active in the period, retention = active / size, and the value they
 * started then), sorted by granularity and cohort, so GetCohortRetention never scans
 * relationships.
 */
export async function buildCohorts(db: SqlRunner): Promise<void> {
  await db.run(CREATE_COHORT_ACTIVITY);
}

/** The cohort slice's one build step. */
export const COHORT_BUILDS: readonly AnalyticsBuild[] = [
  { slice: "cohorts", tables: ["cohort_activity"], build: (db) => buildCohorts(db) },
];

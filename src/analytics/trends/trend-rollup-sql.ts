/** The period lengths trends are reported in, each also an allow-listed `date_trunc` unit. */
export const TREND_GRANULARITIES = ["day", "week", "month", "quarter"] as const;

/** One of {@link TREND_GRANULARITIES}. */
export type TrendGranularity = (typeof TREND_GRANULARITIES)[number];

/** The length of one period as a DuckDB interval literal (weeks are ISO, Monday-aligned). */
export const TREND_STEP: Readonly<Record<TrendGranularity, string>> = {
  day: "INTERVAL 1 DAY",
  week: "INTERVAL 7 DAY",
  month: "INTERVAL 1 MONTH",
  quarter: "INTERVAL 3 MONTH",
};

/*
 * Shared by every granularity: the filters and calendar (f), the dimension values numbered
 * (cdim: region and customer type; pdim: category; the null row of each stands for "missing"),
 * integer codes per customer and product, and each relationship once (rel) with the integer
 * key_id = ct * span + pc of its category's scope; the across-categories scope of the same
 * customers is key_id - key_id % span (pc = 0). Every measure of that scope is derived from the
 * category scope's, so no relationship is read twice:
 * - per-day flows are summed per category key, and the across-categories flows are sums of
 *   those (revenue, new, ended and open relationships add up); a customer's first start in a
 *   category is their first island's, unless a relationship that ends before it starts
 *   (never open, so in no island) starts earlier, and across categories it is the earliest
 *   of their first starts per category;
 * - the starts of each customer's merged runs of days with an open relationship per key (day
 *   islands) come from one sort per category key: a relationship starts an island when it
 *   starts after the latest end of every relationship before it (prev_e, which is then the
 *   previous island's end); last_e is the latest end of all, the last island's end. An
 *   island ends where the next one's prev_e says, or at last_e. The across-categories islands
 *   are the same merge over a customer's category islands (a union of unions of intervals),
 *   a sort of islands rather than of relationships.
 * Each start row thus carries its own start, the previous island's end and (on the first) the
 * last island's end, which is all any granularity needs: its runs of periods are the day
 * islands coarsened and merged again (a day island's image in periods is the union of its
 * relationships' images, one interval), and a day island opens a run of periods exactly when
 * its period is after the previous island's.
 */
const SHARED = `f AS (
    SELECT json_transform(?, '["VARCHAR"]') AS regions, json_transform(?, '["VARCHAR"]') AS types,
           json_transform(?, '["VARCHAR"]') AS categories, ?::DATE AS first_day, ?::DATE AS last_day),
  cdim AS MATERIALIZED (
    SELECT d.region, d.customer_type,
           row_number() OVER (ORDER BY d.region NULLS FIRST, d.customer_type NULLS FIRST) AS ct,
           coalesce((len(f.regions) = 0 OR list_contains(f.regions, d.region))
             AND (len(f.types) = 0 OR list_contains(f.types, d.customer_type)), false) AS keep
    FROM (SELECT region, customer_type FROM customers UNION SELECT NULL, NULL) d CROSS JOIN f),
  pdim AS MATERIALIZED (
    SELECT d.product_category, row_number() OVER (ORDER BY d.product_category NULLS FIRST) AS pc,
           coalesce(len(f.categories) = 0
             OR list_contains(f.categories, d.product_category), false) AS keep
    FROM (SELECT product_category FROM products UNION SELECT NULL) d CROSS JOIN f),
  span AS (SELECT count(*) + 1 AS n FROM pdim),
  ccode AS MATERIALIZED (
    SELECT x.customer_id, row_number() OVER () AS cid, d.ct, d.keep
    FROM (SELECT DISTINCT customer_id FROM customer_products WHERE customer_id IS NOT NULL) x
    LEFT JOIN (
      SELECT customer_id, region, customer_type FROM customers
      QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY region, customer_type) = 1
    ) c USING (customer_id)
    JOIN cdim d
      ON d.region IS NOT DISTINCT FROM c.region AND d.customer_type IS NOT DISTINCT FROM c.customer_type),
  pcode AS MATERIALIZED (
    SELECT x.product_id, d.pc, d.keep
    FROM (SELECT DISTINCT product_id FROM customer_products) x
    LEFT JOIN (
      SELECT product_id, product_category FROM products
      QUALIFY row_number() OVER (PARTITION BY product_id ORDER BY product_category) = 1
    ) p USING (product_id)
    JOIN pdim d ON d.product_category IS NOT DISTINCT FROM p.product_category),
  rel AS MATERIALIZED (
    SELECT cc.cid, cc.ct * s.n + pp.pc AS key_id, cp.start_date, cp.end_date,
           cp."value" AS amount, (cp.end_date IS NULL OR cp.end_date >= cp.start_date) AS valid
    FROM customer_products cp
    JOIN ccode cc ON cc.customer_id = cp.customer_id
    JOIN pcode pp ON pp.product_id IS NOT DISTINCT FROM cp.product_id
    CROSS JOIN span s
    WHERE cp.start_date IS NOT NULL AND cc.keep AND pp.keep),
  flows AS MATERIALIZED (
    SELECT key_id, day, sum(revenue) AS revenue, sum(new_rel) AS new_rel, sum(ended) AS ended,
           sum(d_open) AS d_open
    FROM (
      SELECT key_id, start_date AS day, amount AS revenue, 1::DOUBLE AS new_rel,
             0::DOUBLE AS ended, valid::INTEGER::DOUBLE AS d_open
      FROM rel
      UNION ALL
      SELECT key_id, end_date, NULL, 0, 1, -(valid::INTEGER) FROM rel WHERE end_date IS NOT NULL)
    GROUP BY key_id, day),
  marks AS (
    SELECT cid, key_id, start_date AS s,
           max(coalesce(end_date, 'infinity'::DATE)) OVER (
             PARTITION BY cid, key_id ORDER BY start_date
             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_e,
           max(coalesce(end_date, 'infinity'::DATE)) OVER (
             PARTITION BY cid, key_id ORDER BY start_date
             ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_e
    FROM rel WHERE valid),
  cat_starts AS MATERIALIZED (SELECT * FROM marks WHERE prev_e IS NULL OR s > prev_e),
  firsts AS MATERIALIZED (
    SELECT cid, key_id, min(day) AS day
    FROM (
      SELECT cid, key_id, s AS day FROM cat_starts WHERE prev_e IS NULL
      UNION ALL SELECT cid, key_id, start_date FROM rel WHERE NOT valid)
    GROUP BY cid, key_id),
  daily AS MATERIALIZED (
    SELECT key_id, day, sum(revenue) AS revenue, sum(new_rel) AS new_rel, sum(ended) AS ended,
           sum(new_cust) AS new_cust, sum(d_open) AS d_open
    FROM (
      SELECT key_id, day, revenue, new_rel, ended, 0::DOUBLE AS new_cust, d_open FROM flows
      UNION ALL
      SELECT key_id - key_id % s.n, day, revenue, new_rel, ended, 0, d_open
      FROM flows CROSS JOIN span s
      UNION ALL SELECT key_id, day, NULL, 0, 0, 1, 0 FROM firsts
      UNION ALL
      SELECT key_id - key_id % s.n, min(day), NULL, 0, 0, 1, 0 FROM firsts CROSS JOIN span s
      GROUP BY cid, key_id - key_id % s.n)
    GROUP BY key_id, day),
  cat_islands AS (
    SELECT c.cid, c.key_id - c.key_id % sp.n AS key_id, c.s,
           coalesce(lead(c.prev_e) OVER (PARTITION BY c.cid, c.key_id ORDER BY c.s), c.last_e) AS e
    FROM cat_starts c CROSS JOIN span sp),
  total_marks AS (
    SELECT key_id, s,
           max(e) OVER (PARTITION BY cid, key_id ORDER BY s
             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_e,
           max(e) OVER (PARTITION BY cid, key_id ORDER BY s
             ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_e
    FROM cat_islands),
  dstarts AS MATERIALIZED (
    SELECT key_id, s, prev_e, last_e FROM cat_starts
    UNION ALL
    SELECT key_id, s, prev_e, last_e FROM total_marks WHERE prev_e IS NULL OR s > prev_e)`;

/*
 * Counts travel as DOUBLE: integer sums below 2^53 are exact in any order, and DuckDB's DOUBLE
 * sums (grouped and running) are several times faster than the HUGEINT ones of integer sums.
 * Revenue stays DECIMAL.
 *
 * One granularity: calendar bounds, the +1/-1 events of open relationships and of active
 * customers (+1 in the period of each run's first day island, -1 after the period of the
 * previous island's end where a run opens after one, -1 after the period of the last island's
 * end), the flows re-bucketed from the days, events before the calendar folded into its first
 * period, then every key for every period with running sums.
 */
function perGranularity(g: TrendGranularity): string {
  const t = (e: string) => `date_trunc('${g}', ${e})::DATE`;
  const next = (e: string) => `(${e} + ${TREND_STEP[g]})::DATE`;
  const coarse = (e: string) => (g === "day" ? e : t(e));
  const opens = g === "day" ? "true" : `(prev_e IS NULL OR ${t("s")} > ${t("prev_e")})`;
  return `cb_${g} AS (SELECT ${t("first_day")} AS cal_start, ${t("last_day")} AS cal_end FROM f),
  ev_${g} AS (
    SELECT key_id, ${t("day")} AS eb, revenue, new_rel, ended, new_cust, 0::DOUBLE AS d_open,
           0::DOUBLE AS d_active
    FROM daily
    UNION ALL SELECT key_id, ${next(t("day"))}, 0, 0, 0, 0, d_open, 0 FROM daily WHERE d_open <> 0
    UNION ALL SELECT key_id, ${coarse("s")}, 0, 0, 0, 0, 0, 1 FROM dstarts WHERE ${opens}
    UNION ALL SELECT key_id, ${next(coarse("prev_e"))}, 0, 0, 0, 0, 0, -1 FROM dstarts
      WHERE prev_e IS NOT NULL AND ${opens}
    UNION ALL SELECT key_id, ${next(coarse("last_e"))}, 0, 0, 0, 0, 0, -1 FROM dstarts
      WHERE prev_e IS NULL AND last_e < 'infinity'::DATE),
  agg_${g} AS (
    SELECT e.key_id, greatest(e.eb, c.cal_start) AS bucket,
           sum(CASE WHEN e.eb >= c.cal_start THEN e.revenue ELSE 0 END) AS revenue,
           sum(CASE WHEN e.eb >= c.cal_start THEN e.new_rel ELSE 0 END) AS new_rel,
           sum(CASE WHEN e.eb >= c.cal_start THEN e.ended ELSE 0 END) AS ended,
           sum(CASE WHEN e.eb >= c.cal_start THEN e.new_cust ELSE 0 END) AS new_cust,
           sum(e.d_open) AS d_open, sum(e.d_active) AS d_active
    FROM ev_${g} e CROSS JOIN cb_${g} c
    WHERE e.eb <= c.cal_end
    GROUP BY e.key_id, greatest(e.eb, c.cal_start)),
  dense_${g} AS (
    SELECT k.key_id, cal.bucket, coalesce(a.revenue, 0) AS revenue,
           coalesce(a.new_rel, 0) AS new_rel, coalesce(a.ended, 0) AS ended,
           coalesce(a.new_cust, 0) AS new_cust, coalesce(a.d_open, 0) AS d_open,
           coalesce(a.d_active, 0) AS d_active
    FROM (SELECT DISTINCT key_id FROM agg_${g}) k
    CROSS JOIN (
      SELECT unnest(generate_series(cal_start::TIMESTAMP, cal_end::TIMESTAMP, ${TREND_STEP[g]}))::DATE
        AS bucket
      FROM cb_${g}) cal
    LEFT JOIN agg_${g} a ON a.key_id = k.key_id AND a.bucket = cal.bucket),
  out_${g} AS (
    SELECT '${g}' AS granularity, key_id, bucket, revenue, new_rel, ended, new_cust,
           sum(d_open) OVER w AS open_at_start, sum(d_active) OVER w AS active_customers
    FROM dense_${g}
    WINDOW w AS (PARTITION BY key_id ORDER BY bucket ROWS UNBOUNDED PRECEDING))`;
}

function rollupSelect(granularities: readonly TrendGranularity[]): string {
  return `WITH ${SHARED},
  ${granularities.map(perGranularity).join(",\n  ")},
  all_rows AS (${granularities.map((g) => `SELECT * FROM out_${g}`).join(" UNION ALL ")})
  SELECT a.granularity, cd.region, cd.customer_type, a.key_id % s.n = 0 AS is_total,
         pd.product_category, a.bucket, a.revenue::DECIMAL(38, 2) AS revenue,
         a.new_rel::BIGINT AS new_relationships, a.ended::BIGINT AS ended_relationships,
         a.new_cust::BIGINT AS new_customers, a.open_at_start::BIGINT AS open_at_start,
         a.active_customers::BIGINT AS active_customers
  FROM all_rows a
  CROSS JOIN span s
  JOIN cdim cd ON cd.ct = a.key_id // s.n
  LEFT JOIN pdim pd ON pd.pc = a.key_id % s.n`;
}

/**
 * The SELECT that rolls relationships up into per-period measures by (region, customer type,
 * product category), for one granularity (the query layer's exact answers for filters or dates
 * the stored roll-up cannot serve) or all four at once (the snapshot build, which shares the
 * per-relationship work between them). Bound parameters: regions, customer types and
 * categories as JSON string arrays (empty = all), then the first and last day of the calendar
 * (each widened to its whole period). Columns: granularity, region, customer_type, is_total,
 * product_category, bucket, revenue, new_relationships, ended_relationships, new_customers,
 * open_at_start, active_customers.
 *
 * Each relationship is counted twice: once in an `is_total` row with a null category, where
 * distinct customers are counted across all categories, and once in its category's row, where
 * they are counted within the category. Flows (revenue and new relationships by start period,
 * ended relationships by end period, new customers by their first start period) are summed in
 * their period; relationships open at the start of a period (started before it and not ended
 * before it) and active customers (holding a relationship open on some day of the period:
 * start <= period end and end null or >= period start) are running sums of +1/-1 events, the
 * latter over each customer's merged runs of periods so nobody is counted twice. Events before
 * the calendar only seed those running sums; relationships ending before they start are never
 * open. Rows are dense: every key with data for every period of the calendar.
 */
export const TREND_ROLLUP_SELECT: Readonly<Record<TrendGranularity, string>> = {
  day: rollupSelect(["day"]),
  week: rollupSelect(["week"]),
  month: rollupSelect(["month"]),
  quarter: rollupSelect(["quarter"]),
};

/** {@link TREND_ROLLUP_SELECT} for all four granularities in one statement, for the build. */
export const TREND_ROLLUP_ALL_SELECT = rollupSelect(TREND_GRANULARITIES);

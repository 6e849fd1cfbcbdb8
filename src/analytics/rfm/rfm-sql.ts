/**
 * The ten segments of the standard RFM map, in the map's order; summaries list them this way.
 * "cant_lose" is spelled correctly here ("cant_loose" in many copies of the map).
 */
export const RFM_SEGMENTS = [
  "hibernating",
  "at_risk",
  "cant_lose",
  "about_to_sleep",
  "need_attention",
  "loyal_customers",
  "promising",
  "new_customers",
  "potential_loyalists",
  "champions",
] as const;

/** One segment of {@link RFM_SEGMENTS}. */
export type RfmSegmentName = (typeof RFM_SEGMENTS)[number];

const SEGMENT_CASE = `CASE
    WHEN s.r_score IS NULL THEN NULL
    WHEN s.r_score <= 2 AND s.f_score <= 2 THEN 'hibernating'
    WHEN s.r_score <= 2 AND s.f_score <= 4 THEN 'at_risk'
    WHEN s.r_score <= 2 THEN 'cant_lose'
    WHEN s.r_score = 3 AND s.f_score <= 2 THEN 'about_to_sleep'
    WHEN s.r_score = 3 AND s.f_score = 3 THEN 'need_attention'
    WHEN s.r_score <= 4 AND s.f_score >= 4 THEN 'loyal_customers'
    WHEN s.r_score = 4 AND s.f_score = 1 THEN 'promising'
    WHEN s.r_score = 5 AND s.f_score = 1 THEN 'new_customers'
    WHEN s.f_score <= 3 THEN 'potential_loyalists'
    ELSE 'champions' END`;

/**
 * RFM for every customer with a relationship starting before the reference date (the one bound
 * parameter, a DATE), shared by the snapshot build (default date) and the query layer (any
 * other date). Recency is whole days as DATE subtraction, which equals pandas'
 * `(ref - last).days` for dates (never `date_diff` on timestamps: the off-by-one trap).
 * Frequency is distinct relationships; monetary the exact sum of "value". Customers with
 * monetary > 0 are scored with pandas `qcut(x, 5)` quintiles: edges by `quantile_cont` on DOUBLE
 * (on DECIMAL DuckDB rounds interpolated edges to the column's scale, moving customers between
 * bins), a value scores 1 + #{edges < x}; R is reversed; F is qcut of
 * `row_number() OVER (ORDER BY frequency, customer_id)` (pandas rank method="first"). Others get
 * null scores and segment.
 */
export const RFM_SELECT = rfmSelect("count(DISTINCT cp.relationship_id)");

/**
 * {@link RFM_SELECT} for a snapshot whose profile proved relationship_id unique: frequency is
 * then a plain count of the ids, the same number without the distinct count's per-customer
 * sets (most of the statement's time at 10M relationships).
 */
export const RFM_SELECT_UNIQUE_IDS = rfmSelect("count(cp.relationship_id)");

function rfmSelect(frequency: string): string {
  return `WITH p AS (SELECT ?::DATE AS ref),
  cust AS (
    SELECT customer_id, region, customer_type FROM customers
    QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY region, customer_type) = 1),
  base AS (
    SELECT cp.customer_id, max(cp.start_date) AS last_start_date,
           ${frequency} AS frequency, sum(cp."value") AS monetary
    FROM customer_products cp, p
    WHERE cp.customer_id IS NOT NULL AND cp.start_date < p.ref
    GROUP BY cp.customer_id),
  m AS (SELECT base.*, (p.ref - base.last_start_date)::INTEGER AS recency FROM base, p),
  fr AS (
    SELECT customer_id, recency, monetary::DOUBLE AS monetary_d,
           row_number() OVER (ORDER BY frequency, customer_id) AS f_rank
    FROM m WHERE monetary > 0),
  e AS (
    SELECT quantile_cont(recency::DOUBLE, [0.2, 0.4, 0.6, 0.8]) AS r_e,
           quantile_cont(f_rank::DOUBLE, [0.2, 0.4, 0.6, 0.8]) AS f_e,
           quantile_cont(monetary_d, [0.2, 0.4, 0.6, 0.8]) AS m_e
    FROM fr),
  s AS (
    SELECT fr.customer_id, fr.f_rank,
           5 - len(list_filter(e.r_e, lambda x: x < fr.recency)) AS r_score,
           1 + len(list_filter(e.f_e, lambda x: x < fr.f_rank)) AS f_score,
           1 + len(list_filter(e.m_e, lambda x: x < fr.monetary_d)) AS m_score
    FROM fr, e)
  SELECT m.customer_id, c.region, c.customer_type, m.last_start_date, m.recency,
         m.frequency::BIGINT AS frequency, m.monetary::DECIMAL(38, 2) AS monetary,
         s.f_rank::BIGINT AS f_rank, s.r_score::INTEGER AS r_score, s.f_score::INTEGER AS f_score,
         s.m_score::INTEGER AS m_score, ${SEGMENT_CASE} AS segment
  FROM m LEFT JOIN s USING (customer_id) LEFT JOIN cust c USING (customer_id)`;
}

/**
 * Per-segment counts and means over a relation named `scored_rows` (rows shaped like
 * {@link RFM_SELECT}'s), one row per segment in map order, empty segments included.
 */
export const SEGMENT_SUMMARY_SELECT = `SELECT s.segment, count(r.customer_id) AS customers,
    avg(r.recency) AS mean_recency, avg(r.frequency) AS mean_frequency,
    avg(r.monetary::DOUBLE) AS mean_monetary,
    coalesce(sum(r.monetary), 0)::DECIMAL(38, 2) AS total_monetary
  FROM unnest([${RFM_SEGMENTS.map((name) => `'${name}'`).join(", ")}]) WITH ORDINALITY AS s(segment, ord)
  LEFT JOIN scored_rows r ON r.segment = s.segment
  GROUP BY s.ord, s.segment
  ORDER BY s.ord`;

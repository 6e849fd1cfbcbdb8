import {
  TREND_GRANULARITIES,
  TREND_ROLLUP_SELECT,
  TREND_STEP,
  type TrendGranularity,
} from "./trend-rollup-sql.js";

/** The dimensions a trend can be split by; the allow-list for the group expression. */
export const TREND_GROUP_BYS = ["none", "region", "product_category", "customer_type"] as const;

/** One of {@link TREND_GROUP_BYS}. */
export type TrendGroupBy = (typeof TREND_GROUP_BYS)[number];

const GROUP_EXPR: Readonly<Record<TrendGroupBy, string>> = {
  none: "NULL::VARCHAR",
  region: "r.region",
  product_category: "r.product_category",
  customer_type: "r.customer_type",
};

function boundsSql(g: TrendGranularity): string {
  const step = TREND_STEP[g];
  return `WITH b AS (
      SELECT date_trunc('${g}', ?::DATE)::DATE AS first_b, date_trunc('${g}', ?::DATE)::DATE AS last_b,
             date_trunc('${g}', ?::DATE)::DATE AS cal_end)
    SELECT strftime(first_b, '%Y-%m-%d') AS first_b, strftime(last_b, '%Y-%m-%d') AS last_b,
           strftime((first_b - ${step})::DATE, '%Y-%m-%d') AS prev_b,
           strftime(cal_end, '%Y-%m-%d') AS cal_end,
           CASE WHEN last_b < first_b THEN 0
                ELSE len(generate_series(first_b::TIMESTAMP, last_b::TIMESTAMP, ${step})) END
             AS periods
    FROM b`;
}

/**
 * Per granularity: `?` first day, last day, reference date. Returns the first and last periods'
 * starts, the period before the first (for the first change), the roll-up's last period, and
 * how many periods the range spans.
 */
export const TREND_BOUNDS: Readonly<Record<TrendGranularity, string>> = Object.fromEntries(
  TREND_GRANULARITIES.map((g) => [g, boundsSql(g)]),
) as Record<TrendGranularity, string>;

const MEASURES = [
  "revenue",
  "active_customers",
  "new_customers",
  "new_relationships",
  "ended_relationships",
  "open_at_start",
] as const;

function seriesSql(source: string, g: TrendGranularity, groupBy: TrendGroupBy): string {
  const step = TREND_STEP[g];
  const sums = MEASURES.map((m) => `sum(r.${m}) AS ${m}`).join(", ");
  const filled = MEASURES.map(
    (m) => `coalesce(s.${m}, 0)::${m === "revenue" ? "DECIMAL(38, 2)" : "BIGINT"} AS ${m}`,
  ).join(", ");
  const lags = MEASURES.map((m) => `lag(${m}) OVER p AS prev_${m}`).join(", ");
  return `WITH r AS (${source}),
    q AS (
      SELECT ?::DATE AS first_b, ?::DATE AS last_b, json_transform(?, '["VARCHAR"]') AS regions,
             json_transform(?, '["VARCHAR"]') AS types,
             json_transform(?, '["VARCHAR"]') AS categories, ?::BOOLEAN AS is_total),
    sel AS (
      SELECT ${GROUP_EXPR[groupBy]} AS group_key, r.bucket, ${sums}
      FROM r CROSS JOIN q
      WHERE r.is_total = q.is_total
        AND r.bucket >= (q.first_b - ${step})::DATE AND r.bucket <= q.last_b
        AND (len(q.regions) = 0 OR list_contains(q.regions, r.region))
        AND (len(q.types) = 0 OR list_contains(q.types, r.customer_type))
        AND (r.is_total OR len(q.categories) = 0 OR list_contains(q.categories, r.product_category))
      GROUP BY ALL),
    groups AS (
      SELECT s.group_key FROM sel s CROSS JOIN q
      WHERE s.bucket >= q.first_b
      GROUP BY s.group_key
      HAVING bool_or(${MEASURES.map((m) => `s.${m} <> 0`).join(" OR ")})),
    cal AS (
      SELECT unnest(generate_series((q.first_b - ${step})::TIMESTAMP, q.last_b::TIMESTAMP, ${step}))::DATE
        AS bucket
      FROM q),
    d AS (
      SELECT g.group_key, cal.bucket, ${filled}
      FROM groups g CROSS JOIN cal
      LEFT JOIN sel s ON s.group_key IS NOT DISTINCT FROM g.group_key AND s.bucket = cal.bucket),
    w AS (
      SELECT d.*, ${lags} FROM d
      WINDOW p AS (PARTITION BY group_key ORDER BY bucket))
    SELECT w.*, ((w.bucket + ${step})::DATE - 1) AS period_end,
           (w.revenue - w.prev_revenue)::DECIMAL(38, 2) AS revenue_change
    FROM w CROSS JOIN q
    WHERE w.bucket >= q.first_b
    ORDER BY w.group_key NULLS LAST, w.bucket`;
}

type SeriesSql = Readonly<Record<TrendGranularity, Readonly<Record<TrendGroupBy, string>>>>;

function bySourceSql(source: (g: TrendGranularity) => string): SeriesSql {
  return Object.fromEntries(
    TREND_GRANULARITIES.map((g) => [
      g,
      Object.fromEntries(TREND_GROUP_BYS.map((by) => [by, seriesSql(source(g), g, by)])),
    ]),
  ) as SeriesSql;
}

/**
 * Series from the precomputed `trend_rollup`. `?` first period, last period, regions, customer
 * types, categories (JSON lists), and whether to read the across-categories rows.
 */
export const ROLLUP_SERIES: SeriesSql = bySourceSql(
  (g) => `SELECT * FROM trend_rollup WHERE granularity = '${g}'`,
);

/**
 * Series computed from the relationships (filters or periods the roll-up cannot serve). `?` the
 * roll-up's own five (filters and calendar), then as {@link ROLLUP_SERIES}.
 */
export const COMPUTED_SERIES: SeriesSql = bySourceSql((g) => TREND_ROLLUP_SELECT[g]);

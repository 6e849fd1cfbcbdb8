/**
 * The select list that turns pair counts into every rule metric, shared by the snapshot build
 * and by the query layer's exact answers below the support floor, so both compute the same
 * numbers. It reads a relation with columns antecedent, consequent, n_a (customers holding the
 * antecedent), n_c (the consequent), n_ac (both) and n (baskets), and follows mlxtend's
 * `association_rules` formulas (fractions first, then ratios of fractions) so results agree with
 * it to the last bits; conviction is +infinity exactly when confidence is 1, decided on counts.
 */
export const RULE_METRIC_COLUMNS = `antecedent, consequent,
  n_a::BIGINT AS antecedent_count, n_c::BIGINT AS consequent_count, n_ac::BIGINT AS both_count,
  n_a::DOUBLE / n AS antecedent_support,
  n_c::DOUBLE / n AS consequent_support,
  n_ac::DOUBLE / n AS support,
  support / antecedent_support AS confidence,
  confidence / consequent_support AS lift,
  support - antecedent_support * consequent_support AS leverage,
  CASE WHEN n_ac = n_a THEN 'inf'::DOUBLE
       ELSE (1 - consequent_support) / (1 - confidence) END AS conviction,
  CASE WHEN greatest(support * (1 - antecedent_support),
                     antecedent_support * (consequent_support - support)) = 0 THEN 0
       ELSE leverage / greatest(support * (1 - antecedent_support),
                                antecedent_support * (consequent_support - support)) END
    AS zhangs_metric,
  support / (antecedent_support + consequent_support - support) AS jaccard,
  CASE WHEN n_c = n THEN 0
       ELSE (confidence - consequent_support) / (1 - consequent_support) END AS certainty,
  (support / antecedent_support + support / consequent_support) / 2 AS kulczynski,
  n_ac::DOUBLE / sqrt(n_a::DOUBLE * n_c::DOUBLE) AS cosine,
  (n_a - n_ac)::BIGINT AS opportunity_count`;

/**
 * The CTE `n`: N, the baskets of the question's mode (`q.mode`), for the exact answers below the
 * support floor that turn pair counts into rule metrics.
 */
export const MODE_BASKETS = `n AS (
    SELECT bm.baskets AS n FROM basket_modes bm CROSS JOIN q WHERE bm.basket_mode = q.mode)`;

/** The metrics rules may be ordered by (highest first); the allow-list for ORDER BY. */
export const RULE_ORDER_COLUMNS = [
  "support",
  "confidence",
  "lift",
  "leverage",
  "conviction",
  "zhangs_metric",
  "jaccard",
  "certainty",
  "kulczynski",
  "cosine",
  "opportunity_count",
] as const;

/*
 * The columns a rule row carries, in the order RULE_METRIC_COLUMNS emits them: the rule and its
 * counts and item supports, then every orderable metric. What every rule query selects.
 */
const COLUMNS = [
  "antecedent",
  "consequent",
  "antecedent_count",
  "consequent_count",
  "both_count",
  "antecedent_support",
  "consequent_support",
  ...RULE_ORDER_COLUMNS,
].join(", ");

/** One of {@link RULE_ORDER_COLUMNS}. */
export type RuleOrderColumn = (typeof RULE_ORDER_COLUMNS)[number];

/*
 * `?` mode, antecedent ('' = any), antecedent, consequent ('' = any), consequent, min support,
 * min confidence, min lift. The antecedent test is written so that a given antecedent becomes
 * a range scan of the table, which is sorted by mode and antecedent.
 */
const PRECOMPUTED_FILTER = `FROM association_rules
  WHERE basket_mode = ? AND (?::VARCHAR = '' OR antecedent = ?)
    AND (?::VARCHAR = '' OR consequent = ?)
    AND support >= ? AND confidence >= ? AND lift >= ?`;

/** Counts the precomputed rules matching the filters (parameters as the page query's first 8). */
export const COUNT_PRECOMPUTED_RULES = `SELECT count(*)::BIGINT AS n ${PRECOMPUTED_FILTER}`;

function pageSql(order: RuleOrderColumn): string {
  return `SELECT ${COLUMNS} ${PRECOMPUTED_FILTER}
    ORDER BY ${order} DESC, antecedent, consequent
    LIMIT ? OFFSET ?`;
}

/** One page of precomputed rules per order column: the filters, then limit and offset. */
export const PRECOMPUTED_RULES_PAGE: Readonly<Record<RuleOrderColumn, string>> = Object.fromEntries(
  RULE_ORDER_COLUMNS.map((order) => [order, pageSql(order)]),
) as Record<RuleOrderColumn, string>;

/*
 * Rules computed from the baskets for a support below the floor. Products under the support
 * threshold are pruned first (a pair's support never exceeds its items'), which leaves N alone.
 * `?` as the precomputed filters, then limit and offset; total_size comes with every row.
 */
function computedPageSql(order: RuleOrderColumn): string {
  return `WITH q AS (
      SELECT ?::VARCHAR AS mode, ?::VARCHAR AS antecedent, ?::VARCHAR AS consequent,
             ?::DOUBLE AS min_support, ?::DOUBLE AS min_confidence, ?::DOUBLE AS min_lift),
    ${MODE_BASKETS},
    items AS (
      SELECT c.product_id, c.holders FROM basket_product_counts c CROSS JOIN q CROSS JOIN n
      WHERE c.basket_mode = q.mode AND c.holders::DOUBLE / n.n >= q.min_support),
    bm AS (
      SELECT b.customer_id, b.product_id FROM basket_items b CROSS JOIN q
      WHERE (q.mode = 'all' OR b.active) AND b.product_id IN (SELECT product_id FROM items)),
    a AS (SELECT bm.* FROM bm CROSS JOIN q WHERE q.antecedent = '' OR bm.product_id = q.antecedent),
    c AS (SELECT bm.* FROM bm CROSS JOIN q WHERE q.consequent = '' OR bm.product_id = q.consequent),
    co AS (
      SELECT a.product_id AS antecedent, c.product_id AS consequent, count(*) AS n_ac
      FROM a JOIN c ON c.customer_id = a.customer_id AND c.product_id <> a.product_id
      GROUP BY a.product_id, c.product_id),
    pc AS (
      SELECT co.antecedent, co.consequent, ia.holders AS n_a, ic.holders AS n_c, co.n_ac, n.n
      FROM co CROSS JOIN n
      JOIN items ia ON ia.product_id = co.antecedent
      JOIN items ic ON ic.product_id = co.consequent),
    rules AS (SELECT ${RULE_METRIC_COLUMNS} FROM pc)
    SELECT r.*, count(*) OVER () AS total_size
    FROM rules r CROSS JOIN q
    WHERE r.support >= q.min_support AND r.confidence >= q.min_confidence AND r.lift >= q.min_lift
    ORDER BY r.${order} DESC, r.antecedent, r.consequent
    LIMIT ? OFFSET ?`;
}

/** One page of rules computed from the baskets, per order column. */
export const COMPUTED_RULES_PAGE: Readonly<Record<RuleOrderColumn, string>> = Object.fromEntries(
  RULE_ORDER_COLUMNS.map((order) => [order, computedPageSql(order)]),
) as Record<RuleOrderColumn, string>;

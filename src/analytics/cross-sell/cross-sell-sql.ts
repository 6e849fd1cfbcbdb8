import { MODE_BASKETS, RULE_METRIC_COLUMNS } from "./association-rule-sql.js";

/** `?` customer, customer, mode, customer: whether the customer exists and what it holds. */
export const CUSTOMER_BASKET = `SELECT
    (EXISTS (SELECT 1 FROM customers WHERE customer_id = ?)
      OR EXISTS (SELECT 1 FROM basket_items WHERE customer_id = ?)) AS known,
    (SELECT count(*) FROM basket_items b, (SELECT ?::VARCHAR AS mode) q
      WHERE b.customer_id = ? AND (q.mode = 'all' OR b.active))::INTEGER AS held`;

/** `?` customer, limit: the precomputed default recommendations, best first. */
export const PRECOMPUTED_RECOMMENDATIONS = `SELECT r.product_id, r.product_name, r.product_category,
    r.score, r.confidence, r.lift, r.support, r.cosine, r.product_holders, r.because
  FROM recommendations r
  WHERE r.customer_id = ? AND r.rank <= ?
  ORDER BY r.rank`;

const REQUEST = `q AS (
    SELECT ?::VARCHAR AS customer_id, ?::VARCHAR AS mode, ?::DOUBLE AS min_support,
           ?::DOUBLE AS min_confidence, json_transform(?, '["VARCHAR"]') AS excluded,
           ?::VARCHAR AS scoring),
  held AS (
    SELECT b.product_id FROM basket_items b CROSS JOIN q
    WHERE b.customer_id = q.customer_id AND (q.mode = 'all' OR b.active))`;

/*
 * Ranks the candidate rules `cand` (antecedent held, consequent not held, thresholds applied):
 * drops excluded categories, scores each consequent by the max (confidence, lift) or the sum
 * (cosine) of its rules' metric, explains it by its three strongest rules, and orders by score,
 * then popularity (n_Y), then id. `?` is the limit.
 */
const RANK_CANDIDATES = `prod AS (
    SELECT product_id, min(product_name) AS product_name, min(product_category) AS product_category
    FROM products WHERE product_id IN (SELECT consequent FROM cand)
    GROUP BY product_id),
  m AS (
    SELECT c.*, CASE q.scoring WHEN 'lift' THEN c.lift WHEN 'cosine_sum' THEN c.cosine
                ELSE c.confidence END AS metric
    FROM cand c CROSS JOIN q LEFT JOIN prod p ON p.product_id = c.consequent
    WHERE NOT coalesce(list_contains(q.excluded, p.product_category), false)),
  k AS (
    SELECT *, row_number() OVER (
        PARTITION BY consequent ORDER BY metric DESC, antecedent_count DESC, antecedent) AS k
    FROM m),
  agg AS (
    SELECT k.consequent AS product_id, any_value(k.consequent_count) AS product_holders,
           CASE WHEN any_value(q.scoring) = 'cosine_sum' THEN sum(k.metric) ELSE max(k.metric) END
             AS score,
           list_filter([max(k.antecedent) FILTER (WHERE k.k = 1),
                        max(k.antecedent) FILTER (WHERE k.k = 2),
                        max(k.antecedent) FILTER (WHERE k.k = 3)], lambda x: x IS NOT NULL)
             AS because,
           max(k.confidence) FILTER (WHERE k.k = 1) AS confidence,
           max(k.lift) FILTER (WHERE k.k = 1) AS lift,
           max(k.support) FILTER (WHERE k.k = 1) AS support,
           max(k.cosine) FILTER (WHERE k.k = 1) AS cosine
    FROM k CROSS JOIN q
    GROUP BY k.consequent)
  SELECT a.product_id, p.product_name, p.product_category, a.score, a.confidence, a.lift,
         a.support, a.cosine, a.product_holders, a.because
  FROM agg a LEFT JOIN prod p ON p.product_id = a.product_id
  ORDER BY a.score DESC, a.product_holders DESC, a.product_id
  LIMIT ?`;

/**
 * Recommendations from the precomputed rules (thresholds at or above the floor). `?` customer,
 * mode, min support, min confidence, excluded categories (JSON), scoring, limit.
 */
export const RECOMMEND_FROM_RULES = `WITH ${REQUEST},
  cand AS (
    SELECT r.antecedent, r.consequent, r.antecedent_count, r.consequent_count, r.support,
           r.confidence, r.lift, r.cosine
    FROM association_rules r CROSS JOIN q
    WHERE r.basket_mode = q.mode AND r.antecedent IN (SELECT product_id FROM held)
      AND r.consequent NOT IN (SELECT product_id FROM held)
      AND r.support >= q.min_support AND r.confidence >= q.min_confidence),
  ${RANK_CANDIDATES}`;

/**
 * Recommendations computed from the baskets, for thresholds below the floor: only the held
 * products' co-holdings are counted (O(Σ n_X · basket size)). Same parameters as
 * {@link RECOMMEND_FROM_RULES}.
 */
export const RECOMMEND_FROM_BASKETS = `WITH ${REQUEST},
  ${MODE_BASKETS},
  bm AS (
    SELECT b.customer_id, b.product_id FROM basket_items b CROSS JOIN q
    WHERE q.mode = 'all' OR b.active),
  co AS (
    SELECT x.product_id AS antecedent, y.product_id AS consequent, count(*) AS n_ac
    FROM bm x JOIN bm y ON y.customer_id = x.customer_id
    WHERE x.product_id IN (SELECT product_id FROM held)
      AND y.product_id NOT IN (SELECT product_id FROM held)
    GROUP BY x.product_id, y.product_id),
  pc AS (
    SELECT co.antecedent, co.consequent, ca.holders AS n_a, cc.holders AS n_c, co.n_ac, n.n
    FROM co CROSS JOIN n CROSS JOIN q
    JOIN basket_product_counts ca ON ca.basket_mode = q.mode AND ca.product_id = co.antecedent
    JOIN basket_product_counts cc ON cc.basket_mode = q.mode AND cc.product_id = co.consequent),
  rules AS (SELECT ${RULE_METRIC_COLUMNS} FROM pc),
  cand AS (
    SELECT r.* FROM rules r CROSS JOIN q
    WHERE r.support >= q.min_support AND r.confidence >= q.min_confidence),
  ${RANK_CANDIDATES}`;

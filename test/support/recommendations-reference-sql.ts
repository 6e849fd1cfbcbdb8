/**
 * The recommendations build as it was before customers shared lists by signature: every
 * customer ranked on their own (one top-N statement, one explanations statement). Kept only so
 * that a test can show the shared lists give exactly its rows.
 *
 * @module
 */

/** `?` max held, top N, top N: each customer's top list, ranked on their own. */
export const REFERENCE_TOP = `CREATE OR REPLACE TEMP TABLE reference_top AS
  WITH held AS (SELECT customer_id, product_id FROM basket_items WHERE active),
  deg AS (SELECT customer_id, count(*) AS d FROM held GROUP BY customer_id HAVING count(*) <= ?),
  rule_counts AS (
    SELECT antecedent AS product_id, max(rule_rank) AS n FROM association_rules
    WHERE basket_mode = 'active' GROUP BY antecedent),
  slots AS (
    SELECT h.customer_id, h.product_id, unnest(range(1, least(? + deg.d, rc.n + 1))) AS rule_rank
    FROM held h JOIN deg USING (customer_id) JOIN rule_counts rc USING (product_id)),
  cand AS (
    SELECT s.customer_id, r.consequent AS product_id, r.confidence_rank
    FROM slots s
    JOIN association_rules r
      ON r.basket_mode = 'active' AND r.antecedent = s.product_id AND r.rule_rank = s.rule_rank),
  held_consequents AS (
    SELECT customer_id, product_id, NULL::BIGINT AS confidence_rank FROM held
    WHERE product_id IN (SELECT consequent FROM association_rules WHERE basket_mode = 'active')),
  scored AS (
    SELECT customer_id, product_id, max(confidence_rank) AS confidence_rank
    FROM (SELECT * FROM cand UNION ALL SELECT * FROM held_consequents)
    GROUP BY customer_id, product_id
    HAVING count(*) = count(confidence_rank))
  SELECT s.customer_id, s.product_id,
         row_number() OVER (
           PARTITION BY s.customer_id
           ORDER BY s.confidence_rank DESC, pc.holders DESC, s.product_id) AS rank
  FROM scored s
  JOIN basket_product_counts pc ON pc.basket_mode = 'active' AND pc.product_id = s.product_id
  QUALIFY rank <= ?`;

/** Each customer's rows with their metrics and explanations, as `reference_recommendations`. */
export const REFERENCE_RECOMMENDATIONS = `CREATE OR REPLACE TABLE reference_recommendations AS
  WITH rules AS (
    SELECT antecedent, consequent, confidence, lift, support, cosine,
           row_number() OVER (
             PARTITION BY consequent
             ORDER BY confidence_rank DESC, antecedent_count DESC, antecedent) AS strength_rank
    FROM association_rules WHERE basket_mode = 'active'),
  expl AS (
    SELECT t.customer_id, t.rank, t.product_id, h.product_id AS antecedent, r.strength_rank
    FROM reference_top t
    JOIN basket_items h
      ON h.customer_id = t.customer_id AND h.active
     AND h.product_id IN (SELECT antecedent FROM rules)
    JOIN rules r
      ON {'x': r.antecedent, 'y': r.consequent} = {'x': h.product_id, 'y': t.product_id}),
  best AS (
    SELECT customer_id, rank, product_id, antecedent,
           lag(rank) OVER w IS DISTINCT FROM rank AS strongest,
           CASE WHEN lead(rank, 1) OVER w = rank THEN lead(antecedent, 1) OVER w END AS because_2,
           CASE WHEN lead(rank, 2) OVER w = rank THEN lead(antecedent, 2) OVER w END AS because_3
    FROM expl
    WINDOW w AS (PARTITION BY customer_id ORDER BY rank, strength_rank)
    QUALIFY strongest),
  prod AS (
    SELECT product_id, min(product_name) AS product_name, min(product_category) AS product_category
    FROM products GROUP BY product_id)
  SELECT b.customer_id, b.rank::INTEGER AS rank, b.product_id, p.product_name, p.product_category,
         r.confidence AS score, r.confidence, r.lift, r.support, r.cosine,
         pc.holders AS product_holders,
         list_filter([b.antecedent, b.because_2, b.because_3], lambda x: x IS NOT NULL) AS because
  FROM best b
  JOIN rules r ON r.antecedent = b.antecedent AND r.consequent = b.product_id
  JOIN basket_product_counts pc ON pc.basket_mode = 'active' AND pc.product_id = b.product_id
  LEFT JOIN prod p ON p.product_id = b.product_id
  ORDER BY b.customer_id, b.rank`;

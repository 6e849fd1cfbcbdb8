import type { SqlRunner } from "../../snapshot/sql-runner.js";
import { DERIVED_PARAM, recordDerivedParam } from "./derived-params.js";

/** How many recommendations to precompute per customer. */
export interface RecommendationOptions {
  /** Top N per customer for the default question; larger limits are answered at query time. */
  readonly topN?: number;
  /**
   * Customers holding more products than this are ranked at query time instead: the exact
   * top-N cut needs N + |S| rules per held product, so a few very large baskets would
   * otherwise dominate the whole build (Online Retail's largest holds 1,700 products).
   */
  readonly maxHeld?: number;
}

/** The precomputed list length when the caller does not choose one. */
export const DEFAULT_RECOMMENDATIONS_TOP_N = 10;

/** The basket size above which recommendations are ranked at query time. */
export const DEFAULT_RECOMMENDATIONS_MAX_HELD = 150;

/*
 * Only each antecedent's first (N + |S| - 1) rules can produce a top-N recommendation for a
 * customer holding |S| products: a rule X -> Y ranked below that has at least |S| - 1 held
 * consequents and N unheld ones, each scoring at least as high, ahead of it in X's list (the
 * list order is the final order: confidence, then consequent popularity, then id). Cutting there
 * keeps the join near Σ |S| * (N + |S|) rows instead of Σ |S| * rules-per-product; the cut is
 * an equi-join on (antecedent, rank) over generated rank slots, so no rule beyond it is touched.
 */
/*
 * Ranking keys are packed into one BIGINT, which DuckDB's top-n `arg_max` handles many times
 * faster than a struct or a window: confidence_rank (confidence as a dense integer rank) first,
 * then a holder count, then the product's ordinal reversed (ascending id breaks the last ties).
 * A key that does not fit fails the build with an overflow error; it never reorders silently.
 */
const PRODUCT_ORDINALS = `pr AS (
    SELECT product_id, holders, row_number() OVER (ORDER BY product_id) AS pid
    FROM basket_product_counts WHERE basket_mode = 'active'),
  k AS (SELECT count(*) + 1 AS p_span, coalesce(max(holders), 0) + 1 AS h_span FROM pr)`;

const CREATE_TOP = `CREATE OR REPLACE TEMP TABLE recommendation_top AS
  WITH held AS (SELECT customer_id, product_id FROM basket_items WHERE active),
  deg AS (SELECT customer_id, count(*) AS d FROM held GROUP BY customer_id HAVING count(*) <= ?),
  slots AS (
    SELECT h.customer_id, h.product_id, unnest(range(1, ? + deg.d)) AS rule_rank
    FROM held h JOIN deg USING (customer_id)),
  cand AS (
    SELECT s.customer_id, r.consequent, r.confidence_rank
    FROM slots s
    JOIN association_rules r
      ON r.basket_mode = 'active' AND r.antecedent = s.product_id AND r.rule_rank = s.rule_rank),
  scored AS (
    SELECT c.customer_id, c.consequent AS product_id, max(c.confidence_rank) AS confidence_rank
    FROM cand c
    ANTI JOIN held h ON h.customer_id = c.customer_id AND h.product_id = c.consequent
    GROUP BY c.customer_id, c.consequent),
  ${PRODUCT_ORDINALS},
  best AS (
    SELECT s.customer_id,
           arg_max(s.product_id,
                   (s.confidence_rank::BIGINT * k.h_span + pr.holders) * k.p_span + k.p_span - pr.pid,
                   ?) AS products
    FROM scored s JOIN pr USING (product_id) CROSS JOIN k
    GROUP BY s.customer_id)
  SELECT customer_id, unnest(products) AS product_id, generate_subscripts(products, 1) AS rank
  FROM best`;

const DROP_TOP = "DROP TABLE recommendation_top";

/*
 * The explanations: every held product X with a rule X -> Y, for each recommended Y. The held
 * products travel as one list per customer and are unnested after the join with the top list,
 * so the join order is fixed (about N * |S| probes per customer into the rules by (X, Y))
 * instead of fanning each rule out over every customer holding its consequent.
 */
const CREATE_RECOMMENDATIONS = `CREATE TABLE recommendations AS
  WITH held AS (
    SELECT customer_id, list(product_id) AS items FROM basket_items WHERE active
    GROUP BY customer_id),
  pairs AS (
    SELECT t.customer_id, t.product_id, t.rank, unnest(h.items) AS held_id
    FROM recommendation_top t JOIN held h USING (customer_id)),
  ${PRODUCT_ORDINALS},
  keyed AS (
    SELECT p.customer_id, p.product_id, r.antecedent, r.confidence, r.lift, r.support, r.cosine,
           (r.confidence_rank::BIGINT * k.h_span + r.antecedent_count) * k.p_span + k.p_span - pa.pid
             AS strength
    FROM pairs p
    JOIN association_rules r
      ON r.basket_mode = 'active' AND r.antecedent = p.held_id AND r.consequent = p.product_id
    JOIN pr pa ON pa.product_id = r.antecedent
    CROSS JOIN k),
  expl AS (
    SELECT customer_id, product_id, arg_max(antecedent, strength, 3) AS because,
           arg_max({'confidence': confidence, 'lift': lift, 'support': support, 'cosine': cosine},
                   strength) AS rule
    FROM keyed
    GROUP BY customer_id, product_id),
  prod AS (
    SELECT product_id, min(product_name) AS product_name, min(product_category) AS product_category
    FROM products GROUP BY product_id)
  SELECT t.customer_id, t.rank::INTEGER AS rank, t.product_id, p.product_name, p.product_category,
         e.rule.confidence AS score, e.rule.confidence AS confidence, e.rule.lift AS lift,
         e.rule.support AS support, e.rule.cosine AS cosine, pr.holders AS product_holders,
         e.because
  FROM recommendation_top t
  JOIN expl e USING (customer_id, product_id)
  JOIN pr ON pr.product_id = t.product_id
  LEFT JOIN prod p ON p.product_id = t.product_id
  ORDER BY t.customer_id, t.rank`;

/**
 * Precomputes, for every customer, the top N products to recommend under the default question
 * (active baskets, best-rule confidence, the precomputed support floor, no other filter) into
 * `recommendations`, sorted by customer so GetRecommendations is a point lookup. Each row keeps
 * the recommended product's name and category, the score, the explaining rule's metrics, the
 * product's holder count and up to three held products that explain it, strongest first.
 */
export async function buildRecommendations(
  db: SqlRunner,
  options: RecommendationOptions = {},
): Promise<void> {
  const topN = Math.max(1, Math.floor(options.topN ?? DEFAULT_RECOMMENDATIONS_TOP_N));
  const maxHeld = Math.max(1, Math.floor(options.maxHeld ?? DEFAULT_RECOMMENDATIONS_MAX_HELD));
  await db.run(CREATE_TOP, [maxHeld, topN, topN]);
  await db.run(CREATE_RECOMMENDATIONS);
  await db.run(DROP_TOP);
  await recordDerivedParam(db, DERIVED_PARAM.recommendationsTopN, String(topN));
  await recordDerivedParam(db, DERIVED_PARAM.recommendationsMaxHeld, String(maxHeld));
}

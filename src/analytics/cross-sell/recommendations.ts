import type { SqlRunner } from "../../snapshot/sql-runner.js";
import { DERIVED_PARAM, recordDerivedParam } from "../derived-params.js";

/** How many recommendations to precompute per customer. */
export interface RecommendationOptions {
  /** Top N per customer for the default question; larger limits are answered at query time. */
  readonly topN?: number | undefined;
  /**
   * Customers holding more products than this are ranked at query time instead: the exact
   * top-N cut needs N + |S| rules per held product, so a few very large baskets would
   * otherwise dominate the whole build (Online Retail's largest holds 1,700 products).
   */
  readonly maxHeld?: number | undefined;
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
 * Only held products that are an antecedent get slots, and never more than they have rules.
 *
 * Every operator here can spill to disk, so the build fits DuckDB's memory_limit at a million
 * customers: each (customer, product)'s best rule and the "not held" test are one hash aggregate
 * of fixed-size states (the held pairs join the candidates as markers, instead of an anti-join
 * hashing all candidates), and the top N is a row_number() window per customer. The top-N
 * `arg_max` this replaces kept one unspillable list state per customer and ran out of memory.
 * The window sorts by the three ranking keys on purpose: DuckDB 1.5 rewrites a filter
 * `row_number() <= N` over a single sort key back into that top-N aggregate, but not over
 * several keys (the plan test in recommendations-ranking.test.ts would catch a change).
 */
const CREATE_TOP = `CREATE OR REPLACE TEMP TABLE recommendation_top AS
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

const DROP_TOP = "DROP TABLE recommendation_top";

/*
 * The explanations: every held product X with a rule X -> Y, for each recommended Y, strongest
 * first (confidence, then n_X descending, then id). That order is fixed per rule, so it is
 * ranked once on the rules table (`strength_rank` among Y's rules). One window per customer,
 * sorted by (rank, strength_rank), then finds each recommendation's strongest row and reads
 * the next two with lead(); the metrics are that strongest rule's. A window and joins spill,
 * where the per-customer `list` of held products and the `arg_max` states over millions of
 * (customer, product) groups they replace did not; partitions per customer rather than per
 * (customer, product) sort about twice as fast. The rules are matched with one condition over
 * (X, Y) together so the join order stays fixed: the top list meets the customer's held
 * antecedents (at most N * |S| rows per customer), then probes the rules, instead of first
 * fanning each rule out over every customer holding its antecedent.
 */
const CREATE_RECOMMENDATIONS = `CREATE TABLE recommendations AS
  WITH rules AS (
    SELECT antecedent, consequent, confidence, lift, support, cosine,
           row_number() OVER (
             PARTITION BY consequent
             ORDER BY confidence_rank DESC, antecedent_count DESC, antecedent) AS strength_rank
    FROM association_rules WHERE basket_mode = 'active'),
  expl AS (
    SELECT t.customer_id, t.rank, t.product_id, h.product_id AS antecedent, r.strength_rank
    FROM recommendation_top t
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

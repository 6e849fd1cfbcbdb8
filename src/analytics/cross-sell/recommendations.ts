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
  /**
   * The most 64-bit words a signature may take (64 products of the rules each); past them,
   * each customer is ranked on their own (0: always). Tests lower it to exercise that path.
   */
  readonly signatureWords?: number | undefined;
}

/** The precomputed list length when the caller does not choose one. */
export const DEFAULT_RECOMMENDATIONS_TOP_N = 10;

/** The basket size above which recommendations are ranked at query time. */
export const DEFAULT_RECOMMENDATIONS_MAX_HELD = 150;

/**
 * Signatures of up to 1,024 products of the rules: each word is one more filtered `bit_or`
 * per basket row, so past this the grouping costs more than sharing lists saves.
 */
export const DEFAULT_SIGNATURE_WORDS = 16;

/*
 * A customer's list depends only on which products of the active rules they hold: the score
 * of a product is its best rule from a held antecedent, a held consequent is never
 * recommended, the explanations are held antecedents, and every tie-break (consequent
 * popularity, ids, rule strength) belongs to the rules, not to the customer. So customers are
 * grouped by that set, their signature, and each distinct signature is ranked once, into one
 * stored list; at a million customers about 630k customers hold a rule's product, but only
 * about 91k signatures differ. The products the rules name are numbered, and a signature is
 * the bits of the products held, in 64-bit words (`bit_or`, a fixed-size state the hash
 * aggregate can spill). Past {@link DEFAULT_SIGNATURE_WORDS} words the signatures would cost
 * more than they save, and each customer is its own signature instead. The cap counts every
 * held product, as it always has.
 */
const CREATE_PRODUCTS = `CREATE OR REPLACE TEMP TABLE recommendation_products AS
  SELECT product_id, (row_number() OVER (ORDER BY product_id) - 1)::INTEGER AS bit
  FROM (SELECT antecedent AS product_id FROM association_rules WHERE basket_mode = 'active'
        UNION SELECT consequent FROM association_rules WHERE basket_mode = 'active')`;

const COUNT_PRODUCTS = "SELECT count(*)::INTEGER AS n FROM recommendation_products";

/** The signature's word columns, `w0` to `w{words - 1}`; names made here, never from data. */
const wordColumns = (words: number): string[] => Array.from({ length: words }, (_, i) => `w${i}`);

/**
 * Each word of a customer's signature (the bits of the held products it covers), or, for
 * customers who are their own signature, one word numbering the customer.
 */
const signatureWords = (words: number | "per-customer"): string =>
  words === "per-customer"
    ? "(row_number() OVER ())::UBIGINT AS w0"
    : wordColumns(words)
        .map(
          (w, i) =>
            `coalesce(bit_or(1::UBIGINT << (p.bit % 64)) FILTER (WHERE p.bit // 64 = ${i}), 0::UBIGINT) AS ${w}`,
        )
        .join(", ");

/** `?` max held: each customer within the cap who holds a product of the rules, signed. */
const createCustomers = (
  words: number | "per-customer",
) => `CREATE OR REPLACE TEMP TABLE recommendation_customers AS
  SELECT h.customer_id, ${signatureWords(words)}
  FROM basket_items h LEFT JOIN recommendation_products p ON p.product_id = h.product_id
  WHERE h.active AND h.customer_id IS NOT NULL
  GROUP BY h.customer_id
  HAVING count(*) <= ? AND count(p.bit) > 0`;

/** Each distinct signature, numbered: the id of its stored list, with one customer holding it. */
const createSignatures = (
  words: number,
) => `CREATE OR REPLACE TEMP TABLE recommendation_signatures AS
  SELECT row_number() OVER () AS list_id, *
  FROM (SELECT ${wordColumns(words).join(", ")}, min(customer_id) AS representative
        FROM recommendation_customers GROUP BY ALL)`;

/** The products of the rules each signature holds, read from its representative's basket. */
const CREATE_HELD = `CREATE OR REPLACE TEMP TABLE recommendation_held AS
  SELECT s.list_id, h.product_id
  FROM recommendation_signatures s
  JOIN basket_items h ON h.customer_id = s.representative AND h.active
  JOIN recommendation_products p ON p.product_id = h.product_id`;

/*
 * Only each antecedent's first (N + |S| - 1) rules can produce a top-N recommendation for a
 * signature holding |S| products of the rules: a rule X -> Y ranked below that has at least
 * |S| - 1 held consequents and N unheld ones, each scoring at least as high, ahead of it in X's
 * list (the list order is the final order: confidence, then consequent popularity, then id).
 * Cutting there keeps the join near Σ |S| * (N + |S|) rows instead of Σ |S| * rules-per-product;
 * the cut is an equi-join on (antecedent, rank) over generated rank slots, so no rule beyond it
 * is touched. Only held products that are an antecedent get slots, and never more than they
 * have rules.
 *
 * Every operator here can spill to disk: each (signature, product)'s best rule and the "not
 * held" test are one hash aggregate of fixed-size states (the held pairs join the candidates as
 * markers, instead of an anti-join hashing all candidates), and the top N is a row_number()
 * window per signature. The window sorts by the three ranking keys on purpose: DuckDB 1.5
 * rewrites a filter `row_number() <= N` over a single sort key into a top-N aggregate whose list
 * states stay in memory, but not over several keys (the plan test in
 * recommendations-ranking.test.ts would catch a change).
 */
const CREATE_TOP = `CREATE OR REPLACE TEMP TABLE recommendation_top AS
  WITH held AS (SELECT list_id, product_id FROM recommendation_held),
  deg AS (SELECT list_id, count(*) AS d FROM held GROUP BY list_id),
  rule_counts AS (
    SELECT antecedent AS product_id, max(rule_rank) AS n FROM association_rules
    WHERE basket_mode = 'active' GROUP BY antecedent),
  slots AS (
    SELECT h.list_id, h.product_id, unnest(range(1, least(? + deg.d, rc.n + 1))) AS rule_rank
    FROM held h JOIN deg USING (list_id) JOIN rule_counts rc USING (product_id)),
  cand AS (
    SELECT s.list_id, r.consequent AS product_id, r.confidence_rank
    FROM slots s
    JOIN association_rules r
      ON r.basket_mode = 'active' AND r.antecedent = s.product_id AND r.rule_rank = s.rule_rank),
  held_consequents AS (
    SELECT list_id, product_id, NULL::BIGINT AS confidence_rank FROM held
    WHERE product_id IN (SELECT consequent FROM association_rules WHERE basket_mode = 'active')),
  scored AS (
    SELECT list_id, product_id, max(confidence_rank) AS confidence_rank
    FROM (SELECT * FROM cand UNION ALL SELECT * FROM held_consequents)
    GROUP BY list_id, product_id
    HAVING count(*) = count(confidence_rank))
  SELECT s.list_id, s.product_id,
         row_number() OVER (
           PARTITION BY s.list_id
           ORDER BY s.confidence_rank DESC, pc.holders DESC, s.product_id) AS rank
  FROM scored s
  JOIN basket_product_counts pc ON pc.basket_mode = 'active' AND pc.product_id = s.product_id
  QUALIFY rank <= ?`;

/*
 * The explanations: every held product X with a rule X -> Y, for each recommended Y, strongest
 * first (confidence, then n_X descending, then id). That order is fixed per rule, so it is
 * ranked once on the rules table (`strength_rank` among Y's rules). One window per signature,
 * sorted by (rank, strength_rank), then finds each recommendation's strongest row and reads
 * the next two with lead(); the metrics are that strongest rule's. A window and joins spill,
 * where a `list` of held products and `arg_max` states per (signature, product) would not. The
 * rules are matched with one condition over (X, Y) together so the join order stays fixed: the
 * top list meets the signature's held antecedents (at most N * |S| rows), then probes the rules.
 */
const CREATE_LISTS = `CREATE TABLE recommendation_lists AS
  WITH rules AS (
    SELECT antecedent, consequent, confidence, lift, support, cosine,
           row_number() OVER (
             PARTITION BY consequent
             ORDER BY confidence_rank DESC, antecedent_count DESC, antecedent) AS strength_rank
    FROM association_rules WHERE basket_mode = 'active'),
  expl AS (
    SELECT t.list_id, t.rank, t.product_id, h.product_id AS antecedent, r.strength_rank
    FROM recommendation_top t
    JOIN recommendation_held h
      ON h.list_id = t.list_id AND h.product_id IN (SELECT antecedent FROM rules)
    JOIN rules r
      ON {'x': r.antecedent, 'y': r.consequent} = {'x': h.product_id, 'y': t.product_id}),
  best AS (
    SELECT list_id, rank, product_id, antecedent,
           lag(rank) OVER w IS DISTINCT FROM rank AS strongest,
           CASE WHEN lead(rank, 1) OVER w = rank THEN lead(antecedent, 1) OVER w END AS because_2,
           CASE WHEN lead(rank, 2) OVER w = rank THEN lead(antecedent, 2) OVER w END AS because_3
    FROM expl
    WINDOW w AS (PARTITION BY list_id ORDER BY rank, strength_rank)
    QUALIFY strongest),
  prod AS (
    SELECT product_id, min(product_name) AS product_name, min(product_category) AS product_category
    FROM products GROUP BY product_id)
  SELECT b.list_id, b.rank::INTEGER AS rank, b.product_id, p.product_name, p.product_category,
         r.confidence AS score, r.confidence, r.lift, r.support, r.cosine,
         pc.holders AS product_holders,
         list_filter([b.antecedent, b.because_2, b.because_3], lambda x: x IS NOT NULL) AS because
  FROM best b
  JOIN rules r ON r.antecedent = b.antecedent AND r.consequent = b.product_id
  JOIN basket_product_counts pc ON pc.basket_mode = 'active' AND pc.product_id = b.product_id
  LEFT JOIN prod p ON p.product_id = b.product_id
  ORDER BY b.list_id, b.rank`;

/** Which list each customer gets, sorted by customer so a lookup reads one range. */
const createCustomerLists = (words: number) => `CREATE TABLE customer_recommendation_lists AS
  SELECT c.customer_id, s.list_id
  FROM recommendation_customers c
  JOIN recommendation_signatures s USING (${wordColumns(words).join(", ")})
  ORDER BY c.customer_id`;

/**
 * Every customer's list, row by row, as GetRecommendations, its memory index and the export
 * read it: a view, so the build writes each distinct list once (a table of every customer's
 * rows took 3 s to write at a million customers, more than the ranking).
 */
const CREATE_RECOMMENDATIONS = `CREATE VIEW recommendations AS
  SELECT c.customer_id, l.rank, l.product_id, l.product_name, l.product_category, l.score,
         l.confidence, l.lift, l.support, l.cosine, l.product_holders, l.because
  FROM customer_recommendation_lists c JOIN recommendation_lists l USING (list_id)`;

/** The working tables, dropped once the lists are written. */
const WORK_TABLES = [
  "recommendation_products",
  "recommendation_customers",
  "recommendation_signatures",
  "recommendation_held",
  "recommendation_top",
] as const;

/**
 * Precomputes, for every customer, the top N products to recommend under the default question
 * (active baskets, best-rule confidence, the precomputed support floor, no other filter), read
 * through the `recommendations` view, in which a customer's rows are a range of
 * `customer_recommendation_lists` joined to one list of `recommendation_lists`, so
 * GetRecommendations is a point lookup. Each row keeps the recommended product's name and
 * category, the score, the explaining rule's metrics, the product's holder count and up to
 * three held products that explain it, strongest first. Customers holding the same products of
 * the rules share one list (see the signatures above).
 */
export async function buildRecommendations(
  db: SqlRunner,
  options: RecommendationOptions = {},
): Promise<void> {
  const topN = Math.max(1, Math.floor(options.topN ?? DEFAULT_RECOMMENDATIONS_TOP_N));
  const maxHeld = Math.max(1, Math.floor(options.maxHeld ?? DEFAULT_RECOMMENDATIONS_MAX_HELD));
  const maxWords = Math.max(0, Math.floor(options.signatureWords ?? DEFAULT_SIGNATURE_WORDS));
  await db.run(CREATE_PRODUCTS);
  const [count] = await db.all(COUNT_PRODUCTS);
  const needed = Math.max(1, Math.ceil(Number(count?.n ?? 0) / 64));
  const words = needed <= maxWords ? needed : 1;
  await db.run(createCustomers(needed <= maxWords ? needed : "per-customer"), [maxHeld]);
  await db.run(createSignatures(words));
  await db.run(CREATE_HELD);
  await db.run(CREATE_TOP, [topN, topN]);
  await db.run(CREATE_LISTS);
  await db.run(createCustomerLists(words));
  await db.run(CREATE_RECOMMENDATIONS);
  for (const table of WORK_TABLES) await db.run(`DROP TABLE ${table}`);
  await recordDerivedParam(db, DERIVED_PARAM.recommendationsTopN, String(topN));
  await recordDerivedParam(db, DERIVED_PARAM.recommendationsMaxHeld, String(maxHeld));
}

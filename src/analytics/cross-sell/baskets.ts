import type { AnalyticsBuild } from "../analytics-build.js";

/** The two ways a customer's basket can be formed; "active" is the default everywhere. */
export type BasketMode = "active" | "all";

/** Both basket modes, in the order their rows are stored. */
export const BASKET_MODES: readonly BasketMode[] = ["active", "all"];

const CREATE_BASKET_ITEMS = `CREATE TABLE basket_items AS
  SELECT customer_id, product_id,
         coalesce(bool_or(start_date <= ?::DATE AND (end_date IS NULL OR end_date >= ?::DATE)), false)
           AS active
  FROM customer_products
  WHERE customer_id IS NOT NULL AND product_id IS NOT NULL
  GROUP BY customer_id, product_id
  ORDER BY customer_id`;

const CREATE_PRODUCT_COUNTS = `CREATE TABLE basket_product_counts AS
  SELECT m.basket_mode, b.product_id, count(*) AS holders
  FROM basket_items b
  JOIN (VALUES ('active'), ('all')) AS m(basket_mode) ON m.basket_mode = 'all' OR b.active
  GROUP BY m.basket_mode, b.product_id
  ORDER BY m.basket_mode, b.product_id`;

const CREATE_BASKET_MODES = `CREATE TABLE basket_modes AS
  SELECT m.basket_mode, ?::DATE AS reference_date,
         (SELECT count(DISTINCT customer_id) FROM basket_items b WHERE m.basket_mode = 'all' OR b.active)
           AS baskets,
         NULL::BIGINT AS min_pair_count
  FROM (VALUES ('active'), ('all')) AS m(basket_mode)
  ORDER BY m.basket_mode`;

/**
 * The baskets cross-sell works on, one build step a table: `basket_items` (each distinct
 * customer-product pair, flagged active when some relationship for it is active on the reference
 * date, sorted by customer for the held-set lookup: its zone maps need no order within a
 * customer, and a second sort key costs a fifth of the build), `basket_product_counts` (n_X per
 * mode) and `basket_modes` (N per mode, counted before any item filtering: the
 * basket-denominator trap).
 */
export const BASKET_BUILDS: readonly AnalyticsBuild[] = [
  {
    slice: "cross-sell",
    tables: ["basket_items"],
    build: (db, { dates }) =>
      db.run(CREATE_BASKET_ITEMS, [dates.referenceDate, dates.referenceDate]),
  },
  {
    slice: "cross-sell",
    tables: ["basket_product_counts"],
    build: (db) => db.run(CREATE_PRODUCT_COUNTS),
  },
  {
    slice: "cross-sell",
    tables: ["basket_modes"],
    build: (db, { dates }) => db.run(CREATE_BASKET_MODES, [dates.referenceDate]),
  },
];

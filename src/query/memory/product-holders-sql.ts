/**
 * The statements the product holders index is loaded with, kept apart from the structure.
 *
 * @module
 */
import { centsSql, daySql } from "./cells.js";

/** The products (distinct, in id order): their position is their ordinal below. */
export const PRODUCT_IDS_SQL = `SELECT DISTINCT product_id::VARCHAR AS product_id FROM products
  WHERE product_id IS NOT NULL ORDER BY product_id`;

/** Every relationship of a listed product, with the product's ordinal (`pr.ordinal`). */
export const JOIN = `FROM customer_products h
  JOIN (SELECT product_id, (row_number() OVER (ORDER BY product_id) - 1)::INTEGER AS ordinal
        FROM (SELECT DISTINCT product_id FROM products WHERE product_id IS NOT NULL)) pr
    ON pr.product_id = h.product_id`;

/**
 * Customer ids `customers` holds twice: the statement's join with customers would count such
 * a holder's relationships twice, which the structure does not model, so SQL answers.
 */
export const DUPLICATE_CUSTOMERS_SQL = `SELECT count(*)::BIGINT AS n FROM (
    SELECT customer_id FROM customers WHERE customer_id IS NOT NULL
    GROUP BY customer_id HAVING count(*) > 1)`;

/**
 * The relationships of a listed product. The portfolio holds those of known customers; when it
 * holds fewer, some customer is NULL or missing from `customers`, a holder the portfolio does
 * not have, so the index cannot be derived from it and scans instead.
 */
export const LISTED_RELATIONSHIPS_SQL = `SELECT count(*)::BIGINT AS n FROM customer_products
  WHERE product_id IN (SELECT product_id FROM products)`;

/**
 * What keeps GetProduct's summary from being summed from the groups: a product id `products`
 * holds twice (the statement's join counts each relationship once per copy) or a relationship
 * without an id (the statement counts ids, the groups count rows). Either makes SQL answer it.
 */
export const SUMMARY_UNSAFE_SQL = `SELECT (
    (SELECT count(*) FROM (SELECT product_id FROM products WHERE product_id IS NOT NULL
       GROUP BY product_id HAVING count(*) > 1))
    + (SELECT count(*) FROM customer_products WHERE relationship_id IS NULL))::BIGINT AS n`;

/** The rows {@link HOLDERS_SQL} returns, to size the arrays. */
export const COUNT_HOLDERS_SQL = `SELECT count(*)::BIGINT AS n ${JOIN}`;

/**
 * The customers holding anything, in id order and numbered, with the name and region the
 * statement's `any_value` reads: each relationship row then carries only the number.
 */
export const HOLDER_CODES = `SELECT h.customer_id,
    (row_number() OVER (ORDER BY h.customer_id) - 1)::INTEGER AS ordinal,
    any_value(c.customer_name) AS customer_name, any_value(c.region) AS region
  FROM (SELECT DISTINCT customer_id FROM customer_products WHERE customer_id IS NOT NULL) h
  LEFT JOIN customers c ON c.customer_id = h.customer_id
  GROUP BY h.customer_id`;

/** The numbered holders, in id (and number) order. */
export const HOLDER_CUSTOMERS_SQL = `SELECT customer_id::VARCHAR AS customer_id,
    customer_name::VARCHAR AS customer_name, region::VARCHAR AS region
  FROM (${HOLDER_CODES}) ORDER BY ordinal`;

/**
 * Every relationship of a known product joined as ListProductCustomers joins it, grouped by
 * product, then by customer id (a NULL id, numbered -1, last as the statement's ORDER BY puts
 * it).
 */
export const HOLDERS_SQL = `WITH k AS (${HOLDER_CODES})
  SELECT pr.ordinal AS product, coalesce(k.ordinal, -1) AS customer,
    ${daySql("h.start_date")} AS start_day, ${daySql("h.end_date")} AS end_day,
    ${centsSql('h."value"')} AS cents
  ${JOIN}
  LEFT JOIN k ON k.customer_id = h.customer_id
  ORDER BY pr.ordinal, h.customer_id NULLS LAST`;

/** One group's exact total, for the few past 2^53 cents: `?` product ordinal, customer id. */
export const EXACT_TOTAL_SQL = `SELECT coalesce(sum(h."value"), 0)::DECIMAL(38,2)::VARCHAR AS total
  ${JOIN} WHERE pr.ordinal = ? AND h.customer_id IS NOT DISTINCT FROM ?`;

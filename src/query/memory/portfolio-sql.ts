/**
 * The statements the portfolio index is loaded with, kept apart from the structure.
 *
 * @module
 */
import { centsSql, daySql } from "./cells.js";

/** The customers (distinct, in id order): their position is their ordinal below. */
export const CUSTOMER_IDS_SQL = `SELECT DISTINCT customer_id::VARCHAR AS customer_id FROM customers
  WHERE customer_id IS NOT NULL ORDER BY customer_id`;

/**
 * The distinct products of the holdings, numbered: each holding row carries only this number,
 * so the scan converts no product strings. Their names and categories come from `products`
 * joined to these few thousand rows, which is the statement's LEFT JOIN as long as a product
 * id appears once in `products` ({@link DUPLICATE_PRODUCTS_SQL}).
 */
export const HELD_CODES = `SELECT product_id,
    (row_number() OVER (ORDER BY product_id) - 1)::INTEGER AS code
  FROM (SELECT DISTINCT product_id FROM customer_products WHERE product_id IS NOT NULL)`;

/** The numbered products with their name and category, in number order. */
export const HELD_SQL = `SELECT v.code, v.product_id::VARCHAR AS product_id,
    p.product_name::VARCHAR AS product_name, p.product_category::VARCHAR AS product_category
  FROM (${HELD_CODES}) v LEFT JOIN products p ON p.product_id = v.product_id
  ORDER BY v.code`;

/** Product ids `products` holds twice: the join would repeat holdings, so SQL answers. */
export const DUPLICATE_PRODUCTS_SQL = `SELECT count(*)::BIGINT AS n FROM (
    SELECT product_id FROM products WHERE product_id IS NOT NULL
    GROUP BY product_id HAVING count(*) > 1)`;

/** The distinct relationship types, numbered. */
export const TYPE_CODES = `SELECT relationship_type,
    (row_number() OVER (ORDER BY relationship_type) - 1)::INTEGER AS code
  FROM (SELECT DISTINCT relationship_type FROM customer_products
        WHERE relationship_type IS NOT NULL)`;

/** The numbered types, in number order. */
export const TYPES_SQL = `SELECT code, relationship_type::VARCHAR AS relationship_type
  FROM (${TYPE_CODES}) ORDER BY code`;

/**
 * Every holding of a known customer as GetCustomerPortfolio's HOLDINGS reads it, its product
 * and type as their numbers (-1 for NULL).
 */
const HOLDINGS_SELECT = `WITH c AS (
    SELECT customer_id, (row_number() OVER (ORDER BY customer_id) - 1)::INTEGER AS ordinal
    FROM (SELECT DISTINCT customer_id FROM customers WHERE customer_id IS NOT NULL)),
  v AS (${HELD_CODES}), t AS (${TYPE_CODES})
  SELECT c.ordinal AS customer, r.relationship_id::VARCHAR AS relationship_id,
    coalesce(v.code, -1) AS held, coalesce(t.code, -1) AS type,
    ${daySql("r.start_date")} AS start_day, ${daySql("r.end_date")} AS end_day,
    ${centsSql('r."value"')} AS cents
  FROM customer_products r JOIN c ON c.customer_id = r.customer_id
    LEFT JOIN v ON v.product_id = r.product_id
    LEFT JOIN t ON t.relationship_type = r.relationship_type`;

/**
 * The holdings grouped by customer and, within one, in the page order: newest start first, a
 * missing start as 0001-01-01, then relationship id. Sorting ten million rows so took DuckDB
 * two of the index's eight seconds; {@link HOLDINGS_SQL} is what the load reads first.
 */
export const SORTED_HOLDINGS_SQL = `${HOLDINGS_SELECT}
  ORDER BY c.ordinal, coalesce(r.start_date, DATE '0001-01-01') DESC, r.relationship_id`;

/**
 * The holdings in storage order, which a snapshot's build makes the page order (customer, then
 * start descending, then id: base-tables.ts), at the cost of sorting by one integer. DuckDB
 * keeps a table's insertion order but does not promise it: the load checks every row against
 * the page order and reads {@link SORTED_HOLDINGS_SQL} instead when one is out of it (a
 * customer with both a missing start and a start on 0001-01-01, or an older snapshot).
 */
export const HOLDINGS_SQL = `${HOLDINGS_SELECT} ORDER BY r.rowid`;

/** How many rows {@link HOLDINGS_SQL} returns, to size the arrays. */
export const COUNT_HOLDINGS_SQL = `SELECT count(*)::BIGINT AS n,
    coalesce(sum(strlen(r.relationship_id)), 0)::BIGINT AS id_bytes
  FROM customer_products r
  JOIN (SELECT DISTINCT customer_id FROM customers) c ON c.customer_id = r.customer_id`;

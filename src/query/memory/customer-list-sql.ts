/**
 * The statements the customer list index is loaded with, kept apart from the structure.
 *
 * @module
 */
import { camelCase, columnsOf, sqlName } from "../../schema/schema-sql.js";

/** The customers columns in ListCustomers' order: the few-valued ones are stored as codes. */
export const FIELDS = columnsOf("customers").map((c) => ({
  name: c.name,
  field: camelCase(c.name),
  few: c.fewValues === true,
  /** The column as ListCustomers prints it: dates as `YYYY-MM-DD` text. */
  value: c.duckdb === "DATE" ? `CAST(c.${sqlName(c.name)} AS VARCHAR)` : `c.${sqlName(c.name)}`,
}));

/** Each customer's RFM segment (any one, should a customer have several rows). */
const SEGMENTS = `SELECT customer_id, any_value(segment) AS segment FROM customer_rfm
  WHERE segment IS NOT NULL GROUP BY customer_id`;

/**
 * The distinct values of a few-valued column, numbered in value order: the scan then carries
 * each customer's value as its number, so a million rows convert no strings for these columns.
 */
function dictionary(name: string, values: string): string {
  return `d_${name} AS (SELECT v, (row_number() OVER (ORDER BY v) - 1)::INTEGER AS code
    FROM (SELECT DISTINCT ${values} AS v FROM customers c WHERE ${values} IS NOT NULL))`;
}

const SEGMENT_DICTIONARY = `d_rfm_segment AS (
    SELECT v, (row_number() OVER (ORDER BY v) - 1)::INTEGER AS code
    FROM (SELECT DISTINCT segment AS v FROM (${SEGMENTS})))`;

const FEW = FIELDS.filter((f) => f.few);

/** The numbered values of every few-valued column and of the segment, in that order. */
const DICTIONARIES = [
  ...FEW.map((f) => ({ name: f.name, cte: dictionary(f.name, f.value) })),
  { name: "rfm_segment", cte: SEGMENT_DICTIONARY },
];

/**
 * One dictionary's values in number order, for each few-valued column in {@link FIELDS} order
 * and then the segment: loaded first, so a value's code is its position.
 */
export const DICTIONARY_SQL: readonly string[] = DICTIONARIES.map(
  ({ name, cte }) => `WITH ${cte} SELECT v::VARCHAR AS v FROM d_${name} ORDER BY code`,
);

/**
 * Every customer in id order: the pooled columns as text, the few-valued ones and the segment
 * as their numbers in {@link DICTIONARY_SQL} (-1 for NULL).
 */
export const CUSTOMERS_SQL = `WITH ${DICTIONARIES.map((d) => d.cte).join(", ")}
  SELECT ${FIELDS.map((f) => (f.few ? `coalesce(d_${f.name}.code, -1) AS ${f.name}` : `${f.value} AS ${f.name}`)).join(", ")},
    coalesce(d_rfm_segment.code, -1) AS rfm_segment
  FROM customers c
  LEFT JOIN (${SEGMENTS}) s ON s.customer_id = c.customer_id
  ${FEW.map((f) => `LEFT JOIN d_${f.name} ON d_${f.name}.v = ${f.value}`).join("\n  ")}
  LEFT JOIN d_rfm_segment ON d_rfm_segment.v = s.segment
  WHERE c.customer_id IS NOT NULL ORDER BY c.customer_id`;

/** Customers without an id: ListCustomers lists them last, which the keyset cannot follow. */
export const NULL_IDS_SQL = "SELECT count(*)::BIGINT AS n FROM customers WHERE customer_id IS NULL";

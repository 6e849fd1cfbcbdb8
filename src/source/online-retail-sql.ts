import { KEYWORD_BUCKETS } from "./product-categories.js";
import { type ColumnMapping, targetSelectList } from "./target-columns.js";

/**
 * The temporary table holding the file exactly as written, every column as text, in file order
 * (DuckDB keeps insertion order unless `preserve_insertion_order` is switched off, so `rowid`
 * is the data row's position in the file, 0-based).
 */
export const ONLINE_RETAIL_FILE_TABLE = "online_retail_file";

/** The temporary table of parsed lines that every Online Retail SELECT reads. */
export const ONLINE_RETAIL_LINES_TABLE = "online_retail_lines";

/**
 * Reads the file once, as text, so that duplicate detection compares the lines as written and
 * every cast below is explicit. `pathLiteral` must come from `sqlStringLiteral`.
 */
export function readOnlineRetailFileSql(pathLiteral: string): string {
  return `CREATE OR REPLACE TEMP TABLE ${ONLINE_RETAIL_FILE_TABLE} AS
SELECT InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country
FROM read_csv(${pathLiteral}, header = true, delim = ',', quote = '"', escape = '"', all_varchar = true)`;
}

/**
 * Parses each line once: its position in the file and in its invoice, whether it repeats an
 * earlier line exactly (all eight columns as written), typed quantity, date and exact price,
 * the customer id as an integer string (`17850.0` → `17850`; anything else stops the load),
 * whether it belongs to a cancellation, and its value rounded half away from zero to cents.
 */
export const PARSE_ONLINE_RETAIL_LINES = `CREATE OR REPLACE TEMP TABLE ${ONLINE_RETAIL_LINES_TABLE} AS
SELECT
  rowid + 1 AS file_row,
  InvoiceNo AS invoice_no,
  row_number() OVER (PARTITION BY InvoiceNo ORDER BY rowid) AS line_number,
  row_number() OVER (
    PARTITION BY InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country
    ORDER BY rowid
  ) > 1 AS is_duplicate,
  StockCode AS stock_code,
  NULLIF(trim(Description), '') AS description,
  CAST(Quantity AS INTEGER) AS quantity,
  CAST(InvoiceDate AS TIMESTAMP) AS invoiced_at,
  CAST(UnitPrice AS DECIMAL(18, 6)) AS unit_price,
  CASE
    WHEN NULLIF(trim(CustomerID), '') IS NULL THEN NULL
    WHEN regexp_full_match(trim(CustomerID), '[0-9]+(\\.0*)?')
      THEN CAST(CAST(split_part(trim(CustomerID), '.', 1) AS BIGINT) AS VARCHAR)
    ELSE error('Online Retail: CustomerID ' || CustomerID || ' is not a whole number')
  END AS customer_id,
  Country AS country,
  starts_with(InvoiceNo, 'C') AS is_cancellation,
  round(CAST(Quantity AS INTEGER) * CAST(UnitPrice AS DECIMAL(18, 6)), 2) AS line_value
FROM ${ONLINE_RETAIL_FILE_TABLE}`;

/** Frees the text copy once the lines are parsed. */
export const DROP_ONLINE_RETAIL_FILE = `DROP TABLE ${ONLINE_RETAIL_FILE_TABLE}`;

/** Counts the lines dropped as exact repeats of an earlier line. */
export const COUNT_DUPLICATE_LINES = `SELECT count(*) AS n FROM ${ONLINE_RETAIL_LINES_TABLE} WHERE is_duplicate`;

/** Counts the (non-duplicate) lines left out of customer_products for want of a CustomerID. */
export const COUNT_ANONYMOUS_LINES = `SELECT count(*) AS n FROM ${ONLINE_RETAIL_LINES_TABLE}
WHERE NOT is_duplicate AND customer_id IS NULL`;

/** The customers' columns, from the per-customer facts below (`d`, `m`, `r`, `e`). */
const CUSTOMERS_MAPPING: ColumnMapping<"customers"> = {
  customer_id: "d.customer_id",
  customer_name: "'Customer ' || d.customer_id",
  customer_type:
    "CASE WHEN m.median_invoice_value >= CAST(? AS DECIMAL(18, 3)) THEN 'wholesale' ELSE 'retail' END",
  region: "r.country",
  registration_date: "d.first_at",
  status: `CASE WHEN date_diff('day', CAST(d.last_purchase_at AS DATE), e.end_date) <= CAST(? AS INTEGER)
    THEN 'active' ELSE 'inactive' END`,
};

/**
 * One row per customer. Params: the wholesale threshold on the median purchase-invoice value
 * (a decimal string), then the number of days before the data's end within which a last
 * purchase makes a customer active. The median is taken as DECIMAL(18,3), which holds the mean
 * of two cent amounts exactly, so the comparison with the threshold is exact.
 */
export const ONLINE_RETAIL_CUSTOMERS = `WITH kept AS (
  SELECT * FROM ${ONLINE_RETAIL_LINES_TABLE} WHERE customer_id IS NOT NULL AND NOT is_duplicate
), data_end AS (
  SELECT CAST(max(invoiced_at) AS DATE) AS end_date FROM ${ONLINE_RETAIL_LINES_TABLE}
), invoices AS (
  SELECT customer_id, invoice_no, CAST(sum(line_value) AS DECIMAL(18, 3)) AS invoice_value
  FROM kept WHERE NOT is_cancellation GROUP BY customer_id, invoice_no
), medians AS (
  SELECT customer_id, median(invoice_value) AS median_invoice_value FROM invoices GROUP BY customer_id
), regions AS (
  SELECT customer_id, country FROM kept WHERE country IS NOT NULL GROUP BY customer_id, country
  QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY count(*) DESC, country) = 1
), dates AS (
  SELECT customer_id, min(invoiced_at) AS first_at,
    max(invoiced_at) FILTER (WHERE NOT is_cancellation) AS last_purchase_at
  FROM kept GROUP BY customer_id
)
SELECT
  ${targetSelectList("customers", CUSTOMERS_MAPPING)}
FROM dates AS d
LEFT JOIN medians AS m ON m.customer_id = d.customer_id
LEFT JOIN regions AS r ON r.customer_id = d.customer_id
CROSS JOIN data_end AS e
ORDER BY d.customer_id`;

/** `WHEN <name matches bucket pattern> THEN <bucket category>`, once per keyword bucket. */
const BUCKET_CASES = KEYWORD_BUCKETS.map(
  () => "WHEN regexp_matches(upper(n.description), ?) THEN ?",
).join("\n      ");

/** The products' columns, from each stock code (`c`) and its most used description (`n`). */
const PRODUCTS_MAPPING: ColumnMapping<"products"> = {
  product_id: "c.stock_code",
  product_name: "n.description",
  product_category: `CASE
      WHEN c.is_fee THEN ?
      ${BUCKET_CASES}
      ELSE ?
    END`,
  product_type: "CASE WHEN c.is_fee THEN 'fee' ELSE 'merchandise' END",
  launch_date: "c.first_at",
  status: "'active'",
};

/**
 * One row per stock code seen in a non-duplicate line, anonymous sales included. Params: the fee
 * codes joined by `|`, the fee category, then pattern and category of each keyword bucket in
 * order, then the category for names matching none.
 */
export const ONLINE_RETAIL_PRODUCTS = `WITH lines AS (
  SELECT * FROM ${ONLINE_RETAIL_LINES_TABLE} WHERE NOT is_duplicate
), fee_codes AS (
  SELECT unnest(string_split(?, '|')) AS code
), names AS (
  SELECT stock_code, description FROM lines WHERE description IS NOT NULL
  GROUP BY stock_code, description
  QUALIFY row_number() OVER (PARTITION BY stock_code ORDER BY count(*) DESC, description) = 1
), codes AS (
  SELECT stock_code, min(invoiced_at) AS first_at,
    upper(stock_code) IN (SELECT code FROM fee_codes) AS is_fee
  FROM lines GROUP BY stock_code
)
SELECT
  ${targetSelectList("products", PRODUCTS_MAPPING)}
FROM codes AS c
LEFT JOIN names AS n ON n.stock_code = c.stock_code
ORDER BY c.stock_code`;

/** The relationships' columns, one per invoice line; `end_date` is left NULL (a sale is a point). */
const CUSTOMER_PRODUCTS_MAPPING: ColumnMapping<"customer_products"> = {
  relationship_id: "invoice_no || '-' || line_number",
  customer_id: "customer_id",
  product_id: "stock_code",
  relationship_type: "CASE WHEN is_cancellation THEN 'return' ELSE 'purchase' END",
  start_date: "invoiced_at",
  value: "line_value",
};

/** One row per kept invoice line (with a customer, not a repeat), in file order. */
export const ONLINE_RETAIL_CUSTOMER_PRODUCTS = `SELECT
  ${targetSelectList("customer_products", CUSTOMER_PRODUCTS_MAPPING)}
FROM ${ONLINE_RETAIL_LINES_TABLE}
WHERE customer_id IS NOT NULL AND NOT is_duplicate
ORDER BY file_row`;

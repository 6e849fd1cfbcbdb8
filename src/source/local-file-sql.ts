import { columnsOf, quoted } from "../schema/schema-sql.js";
import type { BaseTable } from "./table-feed.js";

/** The formats a local table file may have. */
export type LocalFormat = "csv" | "parquet";

/**
 * The DuckDB type of every base-table column, in contract order: what a file's values must cast
 * to, from the schema module. Only file sources need to cast; Snowflake rows arrive typed.
 */
export const COLUMN_TYPES: { readonly [T in BaseTable]: readonly string[] } = {
  customers: columnsOf("customers").map((c) => c.duckdb),
  products: columnsOf("products").map((c) => c.duckdb),
  customer_products: columnsOf("customer_products").map((c) => c.duckdb),
};

/**
 * The table function reading one file, its path bound as the first parameter. CSV is read as
 * text (comma-separated, double quotes, a header line; `.gz` decompressed) so that every cast is
 * ours and a bad value can be reported rather than guessed around.
 */
const READERS: { readonly [F in LocalFormat]: string } = {
  csv: `read_csv(?, header = true, delim = ',', quote = '"', escape = '"', all_varchar = true)`,
  parquet: "read_parquet(?)",
};

/**
 * The file with a 1-based `source_row` added, for pointing at a bad value: Parquet's own row
 * number; for CSV the data row in file order (header not counted), read on one thread so the
 * numbering follows the file.
 */
const NUMBERED_READERS: { readonly [F in LocalFormat]: string } = {
  csv: `(SELECT row_number() OVER () AS source_row, * FROM read_csv(?, header = true, delim = ',', quote = '"', escape = '"', all_varchar = true, parallel = false))`,
  parquet:
    "(SELECT file_row_number + 1 AS source_row, * FROM read_parquet(?, file_row_number = true))",
};

/**
 * The SELECT yielding one base table from a file, each column cast to its type. Params: the
 * file path.
 */
export function tableSelectSql(table: BaseTable, format: LocalFormat): string {
  const columns = columnsOf(table).map(
    (c) => `CAST(${quoted(c.name)} AS ${c.duckdb}) AS ${quoted(c.name)}`,
  );
  return `SELECT ${columns.join(", ")} FROM ${withOptionalColumns(table, READERS[format])}`;
}

/**
 * The file, with every optional column it lacks added as NULL: `UNION ALL BY NAME` with an
 * empty row of those columns matches names case-insensitively and fills the missing ones, so a
 * file written before a column was added still loads. Without optional columns, the file as is.
 */
function withOptionalColumns(table: BaseTable, reader: string): string {
  const optional = columnsOf(table).filter((c) => c.optional === true);
  if (optional.length === 0) return reader;
  const empty = optional.map((c) => `CAST(NULL AS VARCHAR) AS ${quoted(c.name)}`).join(", ");
  return `(SELECT * FROM ${reader} UNION ALL BY NAME SELECT ${empty} WHERE false)`;
}

/**
 * A check returning one row (`detail`: the columns the file does have) when the file lacks a
 * column, matched case-insensitively as DuckDB binds names. Params: the path, the column.
 */
export function missingColumnSql(format: LocalFormat): string {
  return `SELECT 'columns found: ' || string_agg(column_name, ', ') AS detail
FROM (DESCRIBE SELECT * FROM ${READERS[format]})
HAVING count(*) FILTER (WHERE lower(column_name) = lower(?)) = 0`;
}

/**
 * A check returning the first row whose value in `column` is present but does not cast to
 * `type`, as `detail` (`row 12: "31/02/2024"`). It uses TRY_CAST with the very cast of
 * {@link tableSelectSql}, so it passes exactly when that SELECT will not fail on the column.
 * Params: the path.
 */
export function badValueSql(format: LocalFormat, column: string, type: string): string {
  return `SELECT 'row ' || source_row || ': "' || left(value, 80) || '"' AS detail
FROM (
  SELECT source_row, CAST(${quoted(column)} AS VARCHAR) AS value,
    TRY_CAST(${quoted(column)} AS ${type}) AS typed
  FROM ${NUMBERED_READERS[format]}
)
WHERE value IS NOT NULL AND typed IS NULL
ORDER BY source_row
LIMIT 1`;
}

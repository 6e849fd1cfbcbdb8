import type { JsonValue, SqlParam, SqlRunner } from "../../snapshot/sql-runner.js";

/** Column names and types of one derived table, in insert order. */
type ColumnSpec = readonly (readonly [name: string, type: string])[];

/** One row per profiled base table: ydata's table-level statistics. */
export const TABLE_PROFILE_TABLE = "eda_table_profile";
const TABLE_PROFILE_COLUMNS: ColumnSpec = [
  ["table_name", "VARCHAR"],
  ["n_rows", "BIGINT"],
  ["n_columns", "INTEGER"],
  ["n_cells_missing", "BIGINT"],
  ["p_cells_missing", "DOUBLE"],
  ["n_vars_with_missing", "INTEGER"],
  ["n_vars_all_missing", "INTEGER"],
  ["n_duplicates", "BIGINT"],
  ["p_duplicates", "DOUBLE"],
  ["n_duplicate_rows", "BIGINT"],
  ["correlation_status", "VARCHAR"],
  ["correlation_columns", "INTEGER"],
];

/**
 * One row per base-table column: every per-column metric, NULL where it does not apply to the
 * column's type. Ratios (`p_*`) are 0–1 fractions of n, nulls included, as in ydata.
 */
export const COLUMN_PROFILE_TABLE = "eda_column_profile";
const COLUMN_PROFILE_COLUMNS: ColumnSpec = [
  ["table_name", "VARCHAR"],
  ["column_name", "VARCHAR"],
  ["ordinal", "INTEGER"],
  ["data_type", "VARCHAR"],
  ["semantic_type", "VARCHAR"],
  ["n", "BIGINT"],
  ["count_non_null", "BIGINT"],
  ["n_missing", "BIGINT"],
  ["p_missing", "DOUBLE"],
  ["n_distinct", "BIGINT"],
  ["p_distinct", "DOUBLE"],
  ["n_unique", "BIGINT"],
  ["p_unique", "DOUBLE"],
  ["is_unique", "BOOLEAN"],
  ["min_value", "VARCHAR"],
  ["max_value", "VARCHAR"],
  ["sum_value", "VARCHAR"],
  ["mean", "DOUBLE"],
  ["std", "DOUBLE"],
  ["variance", "DOUBLE"],
  ["skewness", "DOUBLE"],
  ["kurtosis", "DOUBLE"],
  ["mad", "DOUBLE"],
  ["value_range", "DOUBLE"],
  ["iqr", "DOUBLE"],
  ["cv", "DOUBLE"],
  ["q05", "DOUBLE"],
  ["q25", "DOUBLE"],
  ["q50", "DOUBLE"],
  ["q75", "DOUBLE"],
  ["q95", "DOUBLE"],
  ["n_zeros", "BIGINT"],
  ["p_zeros", "DOUBLE"],
  ["n_negative", "BIGINT"],
  ["p_negative", "DOUBLE"],
  ["n_infinite", "BIGINT"],
  ["p_infinite", "DOUBLE"],
  ["min_length", "BIGINT"],
  ["mean_length", "DOUBLE"],
  ["median_length", "DOUBLE"],
  ["max_length", "BIGINT"],
  ["imbalance", "DOUBLE"],
];

/** The frequency table: the most common values of each column with their counts. */
export const TOP_VALUES_TABLE = "eda_top_values";
const TOP_VALUES_COLUMNS: ColumnSpec = [
  ["table_name", "VARCHAR"],
  ["column_name", "VARCHAR"],
  ["rank", "INTEGER"],
  ["value", "VARCHAR"],
  ["count", "BIGINT"],
  ["frequency", "DOUBLE"],
];

/** Histogram bins of numeric and date columns; date edges are epoch seconds, as ydata bins them. */
export const HISTOGRAMS_TABLE = "eda_histograms";
const HISTOGRAMS_COLUMNS: ColumnSpec = [
  ["table_name", "VARCHAR"],
  ["column_name", "VARCHAR"],
  ["bin", "INTEGER"],
  ["lower", "DOUBLE"],
  ["upper", "DOUBLE"],
  ["count", "BIGINT"],
];

/** Pairwise correlations, each unordered pair once (column_a before column_b in table order). */
export const CORRELATIONS_TABLE = "eda_correlations";
const CORRELATIONS_COLUMNS: ColumnSpec = [
  ["table_name", "VARCHAR"],
  ["column_a", "VARCHAR"],
  ["column_b", "VARCHAR"],
  ["method", "VARCHAR"],
  ["coefficient", "DOUBLE"],
  ["n_pairs", "BIGINT"],
];

/** ydata-style alerts; column_name is NULL for table-level alerts (DUPLICATES, EMPTY). */
export const ALERTS_TABLE = "eda_alerts";
const ALERTS_COLUMNS: ColumnSpec = [
  ["table_name", "VARCHAR"],
  ["column_name", "VARCHAR"],
  ["alert_type", "VARCHAR"],
  ["value", "DOUBLE"],
  ["threshold", "DOUBLE"],
  ["detail", "VARCHAR"],
];

/**
 * One row per table: the rows of the tables above, pre-joined as JSON (`document`, keyed by
 * their column names), and the table's column list (`summary`), so each RPC reads one value.
 */
export const PROFILE_DOCUMENTS_TABLE = "eda_profile_documents";
const PROFILE_DOCUMENTS_COLUMNS: ColumnSpec = [
  ["table_name", "VARCHAR"],
  ["summary", "VARCHAR"],
  ["document", "VARCHAR"],
];

/** The serving side: ListTables reads every table's summary, in build order. */
export const PROFILE_SUMMARIES_SQL = `SELECT summary FROM ${PROFILE_DOCUMENTS_TABLE} ORDER BY rowid`;

/** The serving side: GetTableProfile reads one table's document (`?` the table name). */
export const PROFILE_DOCUMENT_SQL = `SELECT document FROM ${PROFILE_DOCUMENTS_TABLE} WHERE table_name = ?`;

/** A derived table: its name and columns, from which its DDL and INSERT are generated. */
export interface DerivedTable {
  readonly name: string;
  readonly columns: ColumnSpec;
}

/** The profile build's derived tables, in creation order. */
export const PROFILE_TABLES: readonly DerivedTable[] = [
  { name: TABLE_PROFILE_TABLE, columns: TABLE_PROFILE_COLUMNS },
  { name: COLUMN_PROFILE_TABLE, columns: COLUMN_PROFILE_COLUMNS },
  { name: TOP_VALUES_TABLE, columns: TOP_VALUES_COLUMNS },
  { name: HISTOGRAMS_TABLE, columns: HISTOGRAMS_COLUMNS },
  { name: CORRELATIONS_TABLE, columns: CORRELATIONS_COLUMNS },
  { name: ALERTS_TABLE, columns: ALERTS_COLUMNS },
  { name: PROFILE_DOCUMENTS_TABLE, columns: PROFILE_DOCUMENTS_COLUMNS },
];

/** `CREATE OR REPLACE TABLE` for a derived table; names come from the constants above. */
export function createTableSql(table: DerivedTable): string {
  const cols = table.columns.map(([name, type]) => `"${name}" ${type}`).join(", ");
  return `CREATE OR REPLACE TABLE ${table.name} (${cols})`;
}

/** (Re)creates derived tables, empty, so a rebuild never mixes rows of two builds. */
export async function createDerivedTables(
  db: SqlRunner,
  tables: readonly DerivedTable[],
): Promise<void> {
  for (const table of tables) await db.run(createTableSql(table));
}

/** Rows per INSERT statement: keeps the bound parameter count modest. */
const INSERT_BATCH_ROWS = 200;

/**
 * Inserts rows (each in the table's column order) with bound parameters only, in batches. NaN
 * and infinities become NULL so the tables never hold values JSON cannot carry.
 */
export async function insertRows(
  db: SqlRunner,
  table: DerivedTable,
  rows: readonly (readonly SqlParam[])[],
): Promise<void> {
  const placeholders = `(${table.columns.map(() => "?").join(", ")})`;
  for (let start = 0; start < rows.length; start += INSERT_BATCH_ROWS) {
    const batch = rows.slice(start, start + INSERT_BATCH_ROWS);
    const params = batch.flatMap((row) => {
      if (row.length !== table.columns.length) {
        throw new Error(
          `${table.name}: row has ${row.length} values, expected ${table.columns.length}`,
        );
      }
      return row.map(cleanParam);
    });
    const values = batch.map(() => placeholders).join(", ");
    await db.run(`INSERT INTO ${table.name} VALUES ${values}`, params);
  }
}

/**
 * A derived row as a JSON-ready object keyed by the table's column names, NaN and infinities
 * as null: the shape the query layer reads from a pre-joined document.
 */
export function rowObject(
  table: DerivedTable,
  row: readonly SqlParam[],
): Record<string, JsonValue> {
  return Object.fromEntries(
    table.columns.map(([name], i) => {
      const value = cleanParam(row[i] ?? null);
      return [name, typeof value === "bigint" ? Number(value) : value];
    }),
  );
}

function cleanParam(value: SqlParam): SqlParam {
  return typeof value === "number" && !Number.isFinite(value) ? null : value;
}

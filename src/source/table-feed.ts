import type { BaseTableName } from "../schema/base-tables.js";
import { BASE_TABLE_NAMES, columnNames } from "../schema/schema-sql.js";

/**
 * The three tables every source provides, with their column names in contract order, derived
 * from the schema module (src/schema/base-tables.ts). The names are the contract with
 * Snowflake; extra source columns are ignored.
 */
export const BASE_TABLES: { readonly [T in BaseTableName]: readonly string[] } = Object.fromEntries(
  BASE_TABLE_NAMES.map((table) => [table, columnNames(table)]),
) as Record<BaseTableName, readonly string[]>;

/** Name of one of the mirrored base tables. */
export type BaseTable = BaseTableName;

/**
 * How a source hands one table to the snapshot builder. Sources that stream rows from afar
 * (Snowflake) yield batches; sources whose data DuckDB can read itself (CSV and Parquet files,
 * the bundled Online Retail file) give a SELECT that the builder runs inside the new snapshot,
 * which is many times faster than moving the rows through JavaScript.
 */
export type TableFeed =
  | {
      readonly kind: "rows";
      /** Rows in {@link BASE_TABLES} column order; DECIMAL values as exact strings. */
      readonly batches: AsyncIterable<readonly (readonly (string | null)[])[]>;
      /** The row count the source reported before streaming, checked after the load. */
      readonly expectedRows?: number;
    }
  | {
      readonly kind: "select";
      /** A DuckDB SELECT yielding exactly the table's columns, in order, with bound values only. */
      readonly sql: string;
      readonly params: readonly (string | number)[];
    };

/**
 * What one load from a source produced: the feeds, statements to run first (temporary tables
 * the SELECTs share), and notes on what the source dropped and why, which the load logs and
 * records so that no row disappears silently.
 */
export interface SourceLoad {
  readonly prepare: readonly string[];
  /**
   * Checks the builder runs, in order, after `prepare` and before any table is created; absent
   * means none. The first that fails stops the load with an `invalid_data` error
   * (`runSourceChecks` in `source-checks.ts` does exactly this). They let file sources name the
   * file, column, row and value at fault instead of surfacing a bare DuckDB conversion error.
   */
  readonly checks?: readonly SourceCheck[];
  readonly tables: { readonly [T in BaseTable]: TableFeed };
  readonly dropped: readonly DroppedRows[];
  /** When the data was true at the source (for files, their modification time). */
  readonly dataAsOf: Date;
}

/**
 * Rows a source leaves out on purpose, with the reason a person can check. The count is a
 * DuckDB query (run after `prepare`) so that sources never need a database handle of their own.
 */
export interface DroppedRows {
  readonly reason: string;
  /** A SELECT returning one row with one column `n`: how many rows this reason dropped. */
  readonly countSql: string;
}

/**
 * One test of the source data that a DuckDB query can decide. It passes when `sql` returns no
 * rows; otherwise its first row's `detail` column (text, may be null) says which row and value
 * are at fault, and the load fails with an `invalid_data` error naming `file` and `column`.
 */
export interface SourceCheck {
  /** The validation-spec check it is part of (`customers.schema`, src/schema/validation-spec.ts). */
  readonly check?: string;
  /** A SELECT with `?` placeholders for `params`, returning rows only when the data is wrong. */
  readonly sql: string;
  readonly params: readonly (string | number)[];
  /** What is wrong when the check fails, for a person ("is missing", "does not cast to DATE"). */
  readonly problem: string;
  readonly file: string;
  readonly column?: string;
}

import type { DuckDBConnection, DuckDBValue } from "@duckdb/node-api";

/**
 * A value that may be bound to a `?` placeholder. Request values only ever reach SQL this way,
 * never spliced into the text.
 */
export type SqlParam = string | number | boolean | bigint | null;

/**
 * A row as the query layer sees it: DECIMAL and BIGINT arrive as exact strings, DATE as
 * `YYYY-MM-DD`, TIMESTAMP as `YYYY-MM-DD HH:MM:SS[.ffffff]`, DOUBLE and INTEGER as numbers.
 * Strings for decimals are what keep money exact from DuckDB to the client.
 */
export type SqlRow = Record<string, JsonValue>;

/** The JSON-shaped values DuckDB's JSON converter produces. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/**
 * The narrow window through which code outside `src/snapshot` runs SQL on a snapshot (the
 * derived-table builds of the syncer, the questions of the query layer). It exists so that only
 * this folder imports DuckDB, and so that every statement takes its values as bound parameters.
 */
export interface SqlRunner {
  /** Runs a statement for its effect (DDL, INSERT ... SELECT). */
  run(sql: string, params?: readonly SqlParam[]): Promise<void>;
  /** Runs a query and returns every row, converted as {@link SqlRow} describes. */
  all(sql: string, params?: readonly SqlParam[]): Promise<SqlRow[]>;
}

/** Adapts one DuckDB connection to {@link SqlRunner}. */
export function connectionRunner(connection: DuckDBConnection): SqlRunner {
  return {
    async run(sql, params) {
      await connection.run(sql, toDuckDBValues(params));
    },
    async all(sql, params) {
      const reader = await connection.runAndReadAll(sql, toDuckDBValues(params));
      return reader.getRowObjectsJson() as SqlRow[];
    },
  };
}

function toDuckDBValues(params: readonly SqlParam[] | undefined): DuckDBValue[] | undefined {
  return params === undefined || params.length === 0 ? undefined : [...params];
}

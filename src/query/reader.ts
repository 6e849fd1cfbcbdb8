import type { SqlParam, SqlRow } from "../snapshot/sql-runner.js";

/**
 * What a question needs to be asked: run a query with bound values and get rows back. The
 * snapshot (DuckDB) and the live source (Snowflake) both provide it, which is how one question
 * written in the SQL both dialects share is asked of either.
 */
export interface Reader {
  all(sql: string, params?: readonly Exclude<SqlParam, readonly string[]>[]): Promise<SqlRow[]>;
}

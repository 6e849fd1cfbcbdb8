import { AppError } from "../app-error.js";
import type { JsonValue, SqlParam, SqlRow, SqlRunner } from "../snapshot/sql-runner.js";

/** A nullable number from a converted DuckDB value (BIGINT and DECIMAL arrive as strings). */
export function numOrNull(value: JsonValue | undefined): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

/** A number, zero when absent: counts and ratios the build always writes. */
export function num(value: JsonValue | undefined): number {
  return numOrNull(value) ?? 0;
}

/** A nullable string. */
export function textOrNull(value: JsonValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : String(value);
}

/** A string, empty when absent. */
export function text(value: JsonValue | undefined): string {
  return textOrNull(value) ?? "";
}

/**
 * Runs a lookup on the snapshot's derived tables. A snapshot built without them (an older build,
 * a failed derive step) answers FAILED_PRECONDITION rather than leaking a DuckDB catalog error.
 */
export async function lookup(
  db: SqlRunner,
  sql: string,
  params: readonly SqlParam[] = [],
): Promise<SqlRow[]> {
  try {
    return await db.all(sql, params);
  } catch (err) {
    if (err instanceof Error && err.message.includes("Catalog Error")) {
      throw new AppError("failed_precondition", "this snapshot has no EDA or data-quality tables", {
        cause: err,
      });
    }
    throw err;
  }
}

/** Groups rows by a text column, keeping order, for one-to-many lookups. */
export function groupBy(rows: readonly SqlRow[], column: string): Map<string, SqlRow[]> {
  const groups = new Map<string, SqlRow[]>();
  for (const row of rows) {
    const key = text(row[column]);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return groups;
}

/** The rows of a nested LIST of STRUCTs (a `list(t)` column), as plain rows. */
export function rowsOf(value: JsonValue | undefined): SqlRow[] {
  return Array.isArray(value) ? (value as SqlRow[]) : [];
}

/**
 * Reads stored JSON documents (one per row, in `column`) as rows. Pre-joining a profile into one
 * value at build time makes a lookup one small read instead of several wide ones.
 */
export async function lookupDocuments(
  db: SqlRunner,
  sql: string,
  params: readonly SqlParam[],
  column: string,
): Promise<SqlRow[]> {
  return (await lookup(db, sql, params)).map((row) => {
    const parsed: unknown = JSON.parse(text(row[column]));
    if (parsed === null || typeof parsed !== "object") {
      throw new AppError("failed_precondition", "this snapshot's stored profile is malformed");
    }
    return parsed as SqlRow;
  });
}

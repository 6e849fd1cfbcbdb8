import type { JsonValue, SqlRow } from "../../snapshot/sql-runner.js";

/**
 * Reads a number from a converted DuckDB value. BIGINT and DECIMAL arrive as strings and DOUBLE
 * special values as `"NaN"` or `"Infinity"`, so the profile build needs one place that turns all
 * of them into a JS number, keeping null as null.
 */
export function toNumber(value: JsonValue | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return value;
  if (typeof value === "string") return Number(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  return null;
}

/** Like {@link toNumber}, but NaN and ±Infinity become null: the profile stores them as SQL NULL. */
export function toFinite(value: JsonValue | undefined): number | null {
  const n = toNumber(value);
  return n === null || !Number.isFinite(n) ? null : n;
}

/** Reads a count (BIGINT as a string); a missing value counts as zero. */
export function toCount(value: JsonValue | undefined): number {
  return toFinite(value) ?? 0;
}

/** Reads a value as text (exact decimals and ISO dates stay as DuckDB wrote them). */
export function toText(value: JsonValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** Reads a list of numbers (a DuckDB LIST such as the result of `quantile_cont(c, [...])`). */
export function toNumberList(value: JsonValue | undefined): (number | null)[] {
  return Array.isArray(value) ? value.map((v: JsonValue) => toFinite(v)) : [];
}

/** The single row a one-row aggregate returns; an empty result is a bug in the build's SQL. */
export function onlyRow(rows: SqlRow[], what: string): SqlRow {
  const row = rows[0];
  if (row === undefined) throw new Error(`${what}: the aggregate returned no row`);
  return row;
}

/** A ratio that is 0 instead of NaN when the denominator is 0 (an empty table or column). */
export function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

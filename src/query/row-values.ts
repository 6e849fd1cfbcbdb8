import type { JsonValue } from "../snapshot/sql-runner.js";

/**
 * Reads a numeric cell as DuckDB's JSON conversion hands it over: DOUBLE and INTEGER as numbers,
 * BIGINT as a decimal string, and non-finite doubles as "Infinity", "-Infinity" or "NaN".
 * Exists so every query reads conviction's infinity and BIGINT counts the same way.
 */
export function cellNumber(value: JsonValue | undefined): number {
  if (typeof value === "number") return value;
  if (typeof value === "string") return Number(value);
  return Number.NaN;
}

/** Like {@link cellNumber}, but null (an undefined metric) stays null. */
export function cellNumberOrNull(value: JsonValue | undefined): number | null {
  return value === null || value === undefined ? null : cellNumber(value);
}

/** Reads a text cell (VARCHAR, DATE, DECIMAL); null stays null. */
export function cellText(value: JsonValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : String(value);
}

/** Reads a VARCHAR[] cell; null is an empty list. */
export function cellTextList(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.map((v) => String(v)) : [];
}

/**
 * Encodes a list of request strings as one bound JSON parameter, which the SQL turns back into
 * a list with `json_transform(?, '["VARCHAR"]')`: lists are bound, never spliced.
 */
export function jsonListParam(values: readonly string[] | undefined): string {
  return JSON.stringify(values ?? []);
}

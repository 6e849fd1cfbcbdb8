import { hash } from "node:crypto";
import type { ResourceSpec } from "./resource-specs.js";

/** A stored row as the write path and the overlay hold it: column name → text or NULL. */
export type StoredRow = Readonly<Record<string, string | null>>;

/**
 * A decimal in one spelling whatever produced it (`12.5`, `12.50`, `+12.500`), so a row read
 * from Snowflake, from DuckDB or from the snapshot has one etag.
 */
export function canonicalDecimal(value: string): string {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(value.trim());
  if (match === null) return value;
  const whole = (match[2] ?? "").replace(/^0+(?=\d)/, "") || "0";
  const fraction = `${match[3] ?? ""}00`.slice(0, 2);
  const negative = match[1] === "-" && `${whole}${fraction}`.replace(/0/g, "") !== "";
  return `${negative ? "-" : ""}${whole}.${fraction}`;
}

/** The row's values in column order, decimals canonical, for hashing and comparing. */
export function canonicalValues(spec: ResourceSpec, row: StoredRow): (string | null)[] {
  return spec.columns.map((column) => {
    const value = row[column.name] ?? null;
    if (value === null || value === "") return null;
    if (column.type === "decimal") return canonicalDecimal(value);
    if (column.type === "date") return value.slice(0, 10);
    return value;
  });
}

/**
 * The etag of a stored row: the first 16 bytes of the SHA-256 of its canonical values, in
 * hex. It changes whenever any stored value does, and is the same from every path that reads
 * the row, so a caller can send it back to make an update conditional. Every row a read returns
 * is hashed, so it uses the one-shot `hash`, about three times cheaper than a Hash object.
 */
export function etagOf(spec: ResourceSpec, row: StoredRow): string {
  return hash("sha256", JSON.stringify([spec.table, canonicalValues(spec, row)]), "hex").slice(
    0,
    32,
  );
}

/** The row as the source stores it (decimals to the cent, empty text as NULL). */
export function canonicalRow(spec: ResourceSpec, row: StoredRow): StoredRow {
  const values = canonicalValues(spec, row);
  return Object.fromEntries(spec.columns.map((column, i) => [column.name, values[i] ?? null]));
}

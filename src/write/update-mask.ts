import { AppError } from "../app-error.js";
import { isCalendarDate } from "../query/dates.js";
import type { StoredRow } from "./etag.js";
import type { ResourceSpec } from "./resource-specs.js";

/**
 * The columns an update changes (AIP-134): the mask's paths, each one of the resource's
 * mutable fields; `*` for all of them; no path for every mutable field that is set
 * (non-empty) in the request. Anything else is INVALID_ARGUMENT naming update_mask.
 */
export function maskedColumns(
  spec: ResourceSpec,
  paths: readonly string[],
  incoming: StoredRow,
): string[] {
  if (paths.length === 0) return spec.mutable.filter((name) => incoming[name] !== null);
  if (paths.length === 1 && paths[0] === "*") return [...spec.mutable];
  for (const path of paths) {
    if (!spec.mutable.includes(path)) {
      throw new AppError(
        "invalid_argument",
        `update_mask names ${JSON.stringify(path)}, which is not a field an update may change; use ${spec.mutable.join(", ")} or "*"`,
        { field: "update_mask" },
      );
    }
  }
  return [...new Set(paths)];
}

/** The current row with the masked columns taken from `incoming`. */
export function applyMask(
  current: StoredRow,
  incoming: StoredRow,
  columns: readonly string[],
): StoredRow {
  const next: Record<string, string | null> = { ...current };
  for (const name of columns) next[name] = incoming[name] ?? null;
  return next;
}

const fieldOf = (spec: ResourceSpec, column: string): string =>
  spec.noun === "holding" && column === "customer_id" ? "customer_id" : `${spec.field}.${column}`;

/**
 * Checks the values a request sets, before anything reaches the source: dates are real
 * calendar days (which protovalidate's pattern cannot tell) and numbers are not below the
 * schema's minimum. Errors name the request field (`holding.start_date`).
 */
export function checkValues(spec: ResourceSpec, row: StoredRow): void {
  for (const column of spec.columns) {
    const value = row[column.name];
    if (value === null || value === undefined) continue;
    const field = fieldOf(spec, column.name);
    if (column.type === "date" && !isCalendarDate(value)) {
      throw new AppError("invalid_argument", `${field} is not a calendar date: ${value}`, {
        field,
      });
    }
    if (column.min !== undefined && Number(value) < column.min) {
      throw new AppError("invalid_argument", `${field} must be at least ${column.min}: ${value}`, {
        field,
      });
    }
  }
}

/**
 * Checks a whole row about to be stored, as the schema declares it: {@link checkValues},
 * every required column set, and an end date not before the start. Create checks the row
 * asked for; update the row it would store (the current row with the mask applied).
 */
export function checkRow(spec: ResourceSpec, row: StoredRow): void {
  checkValues(spec, row);
  for (const column of spec.columns) {
    const value = row[column.name];
    if (!column.nullable && (value === null || value === undefined)) {
      const field = fieldOf(spec, column.name);
      throw new AppError(
        "invalid_argument",
        `${field} is required: the ${spec.table} table holds no row without it`,
        { field },
      );
    }
  }
  const start = row.start_date;
  const end = row.end_date;
  if (typeof start === "string" && typeof end === "string" && end < start) {
    throw new AppError(
      "invalid_argument",
      `${spec.field}.end_date ${end} is before ${spec.field}.start_date ${start}`,
      { field: `${spec.field}.end_date` },
    );
  }
}

import { isCalendarDate } from "../query/dates.js";
import { QueryError } from "../query/query-error.js";
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
      throw new QueryError(
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

/**
 * Checks what protovalidate cannot: that every date is a real calendar day, and that an end
 * date is not before the start. Errors name the request field (`holding.end_date`).
 */
export function checkRow(spec: ResourceSpec, row: StoredRow): void {
  for (const column of spec.columns) {
    const value = row[column.name];
    if (column.type === "date" && value !== null && value !== undefined && !isCalendarDate(value)) {
      const field = `${spec.field}.${column.name}`;
      throw new QueryError("invalid_argument", `${field} is not a calendar date: ${value}`, {
        field,
      });
    }
  }
  const start = row.start_date;
  const end = row.end_date;
  if (start !== undefined && end !== undefined && start !== null && end !== null && end < start) {
    throw new QueryError(
      "invalid_argument",
      `${spec.field}.end_date ${end} is before ${spec.field}.start_date ${start}`,
      { field: `${spec.field}.end_date` },
    );
  }
}

import { AppError } from "../app-error.js";

/** Today's date in UTC as `YYYY-MM-DD`: the default day on which "active" is judged. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Checks that a request's `YYYY-MM-DD` names a real calendar day (the proto's pattern only
 * checks the shape, so `2024-02-30` gets here) and returns it, or the fallback when empty.
 */
export function requestDate(value: string, field: string, fallback: string): string;
export function requestDate(value: string, field: string): string | null;
export function requestDate(value: string, field: string, fallback?: string): string | null {
  if (value === "") return fallback ?? null;
  if (!isCalendarDate(value)) {
    throw new AppError("invalid_argument", `${field} is not a calendar date: ${value}`, {
      field,
    });
  }
  return value;
}

/** Whether `value` is a `YYYY-MM-DD` that names a real calendar day. */
export function isCalendarDate(value: string): boolean {
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

/** Rejects a range whose start lies after its end, naming the start field. */
export function requireOrdered(
  from: string | null,
  to: string | null,
  fromField: string,
  toField: string,
): void {
  if (from !== null && to !== null && from > to) {
    throw new AppError("invalid_argument", `${fromField} (${from}) is after ${toField} (${to})`, {
      field: fromField,
    });
  }
}

import { AppError } from "../app-error.js";

/**
 * Checks a threshold that the proto bounds to [0, bound]. The API validates requests already;
 * the query layer checks again because it is also called directly (tests, the live router), and
 * a NaN slipping into SQL would silently match nothing.
 */
export function checkRange(value: number, field: string, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new AppError("invalid_argument", `${field} must be between ${min} and ${max}`, {
      field,
    });
  }
  return value;
}

/** Checks a whole number in [min, max], such as a limit or page size. */
export function checkInteger(value: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(value)) {
    throw new AppError("invalid_argument", `${field} must be a whole number`, { field });
  }
  return checkRange(value, field, min, max);
}

/** Checks an id the proto requires: non-empty and at most `maxLength` characters. */
export function checkId(value: string, field: string, maxLength = 50): string {
  if (value.length === 0 || value.length > maxLength) {
    throw new AppError("invalid_argument", `${field} must be 1 to ${maxLength} characters`, {
      field,
    });
  }
  return value;
}

/** Checks one of a fixed set of words (an enum in the proto). */
export function checkOneOf<T extends string>(
  value: string,
  allowed: readonly T[],
  field: string,
): T {
  const found = allowed.find((a) => a === value);
  if (found === undefined) {
    throw new AppError("invalid_argument", `${field} must be one of ${allowed.join(", ")}`, {
      field,
    });
  }
  return found;
}

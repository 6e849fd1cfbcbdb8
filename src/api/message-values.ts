import { AppError } from "../app-error.js";

/**
 * A count as an int64 field wants it. The query layer counts in numbers (exact up to 2^53, far
 * beyond any table here); protobuf-es takes int64 as bigint.
 */
export function int64(count: number): bigint {
  return BigInt(count);
}

/** The query layer's null (an undefined metric) as an absent `optional` field. */
export function optional<T>(value: T | null): T | undefined {
  return value ?? undefined;
}

/**
 * A request enum as the query layer's word: UNSPECIFIED (absent from `table`'s keys by
 * convention, mapped to undefined) lets the query layer apply its default; a number the table
 * does not know is INVALID_ARGUMENT naming `field`. protovalidate's `defined_only` rejects such
 * numbers before a handler runs; this keeps the mapping total when a handler is called directly.
 */
export function enumArg<E extends number, W extends string>(
  table: ReadonlyMap<E, W>,
  value: E,
  field: string,
): W | undefined {
  if (value === 0) return undefined;
  const word = table.get(value);
  if (word === undefined) {
    throw new AppError("invalid_argument", `${field}: ${value} is not a known value`, { field });
  }
  return word;
}

/**
 * The inverse of a request table: the query layer's word as the proto enum, or `unspecified`
 * for null (an unscored customer's segment) or a word the table does not know.
 */
export function enumOf<E extends number, W extends string>(
  table: ReadonlyMap<E, W>,
  word: string | null,
  unspecified: E,
): E {
  for (const [value, w] of table) if (w === word) return value;
  return unspecified;
}

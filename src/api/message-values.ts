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

/**
 * The table between a proto enum and the query layer's words, for enums whose value names are
 * the words in capitals (every analytics enum: `RfmSegment.AT_RISK` is "at_risk"). The words
 * come from the query layer's own allow-list, so the table cannot drift from what the question
 * accepts; a word the proto lacks fails when the service module loads, not at a request.
 */
export function enumWords<E extends number, W extends string>(
  values: { readonly [name: string]: E | string },
  words: readonly W[],
): ReadonlyMap<E, W> {
  return new Map(
    words.map((word): [E, W] => {
      const value = values[word.toUpperCase()];
      if (typeof value !== "number") throw new Error(`the proto enum has no value for ${word}`);
      return [value, word];
    }),
  );
}

/**
 * The words of a reply-only enum: every value but UNSPECIFIED under its name in lower case (the
 * stored vocabularies of the profiles and data-quality slices), or as `spell` writes it (ydata's
 * alert types keep the capitals). Only {@link enumOf} reads such a table.
 */
export function enumNames<E extends number>(
  values: { readonly [name: string]: E | string },
  spell: (name: string) => string = (name) => name.toLowerCase(),
): ReadonlyMap<E, string> {
  const named = Object.entries(values).filter(
    (entry): entry is [string, E] => typeof entry[1] === "number" && entry[1] !== 0,
  );
  return new Map(named.map(([name, value]) => [value, spell(name)]));
}

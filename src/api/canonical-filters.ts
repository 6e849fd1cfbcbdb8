import { canonicalFilter, type KnownValues, knownValues } from "../query/filter-values.js";
import type { SnapshotReader } from "../snapshot/snapshot-reader.js";

/** The filter lists a remembered question's arguments may carry. */
type Filtered = { readonly [K in keyof KnownValues]?: readonly string[] };

/**
 * A question's `canonical` step for arguments filtered by `lists` (regions, customer types,
 * product categories): each named list is put in {@link canonicalFilter}'s form against the
 * snapshot's known values, the rest of the arguments kept as they are. Every filtered,
 * remembered question needs exactly this, so that equivalent requests share one answer.
 */
export function canonicalFilters<A extends Filtered>(
  lists: readonly (keyof KnownValues)[],
): (db: SnapshotReader, args: A) => Promise<A> {
  return async (db, args) => {
    const known = await knownValues(db);
    const canonical = lists.map((list) => [list, canonicalFilter(args[list], known[list])]);
    return { ...args, ...Object.fromEntries(canonical) };
  };
}

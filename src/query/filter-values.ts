import type { SnapshotReader } from "../snapshot/snapshot-reader.js";
import { cellText } from "./row-values.js";

/** The values a snapshot holds for each filterable column, lower-cased, to tell the unknown. */
export interface KnownValues {
  readonly regions: ReadonlySet<string>;
  readonly customerTypes: ReadonlySet<string>;
  readonly productCategories: ReadonlySet<string>;
}

const SELECT_KNOWN = `SELECT 'region' AS kind, lower(region) AS value FROM customers GROUP BY 2
  UNION ALL SELECT 'customer_type', lower(customer_type) FROM customers GROUP BY 2
  UNION ALL SELECT 'product_category', lower(product_category) FROM products GROUP BY 2`;

/** The memo key of the known values: read once per snapshot, they never change. */
const KNOWN_MEMO = "known filter values";

/**
 * A filter value no row can match; it stands for "every value asked for was unknown", which
 * must still match nothing (an empty list would mean "no filter").
 */
export const MATCHES_NOTHING = "\u0000matches nothing";

/** The regions, customer types and product categories of the snapshot, read once. */
export function knownValues(db: SnapshotReader): Promise<KnownValues> {
  return db.memo.answer(KNOWN_MEMO, async () => {
    const rows = await db.all(SELECT_KNOWN);
    const of = (kind: string) =>
      new Set(rows.filter((r) => r.kind === kind).map((r) => cellText(r.value) ?? ""));
    return {
      regions: of("region"),
      customerTypes: of("customer_type"),
      productCategories: of("product_category"),
    };
  });
}

/**
 * A filter list in one canonical form, so that equivalent requests share one remembered
 * answer: sorted, without duplicates, and without values that match nothing in the snapshot
 * (compared case-insensitively, so whichever case rule the query applies, a dropped value
 * could not have matched). When every value was unknown, the list is {@link MATCHES_NOTHING}:
 * still a filter, still empty-handed. Without this, a caller could grow the memo without
 * bound by adding one more unknown region to each request.
 */
export function canonicalFilter(
  values: readonly string[] | undefined,
  known: ReadonlySet<string>,
): readonly string[] {
  if (values === undefined || values.length === 0) return [];
  const kept = [...new Set(values)].filter((v) => known.has(v.toLowerCase())).sort();
  return kept.length === 0 ? [MATCHES_NOTHING] : kept;
}

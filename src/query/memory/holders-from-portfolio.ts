import type { HolderGroups } from "./holder-groups.js";
import type { HoldingColumns } from "./portfolio-index.js";

/**
 * The {@link HolderGroups} of the portfolio's rows, without a scan: the portfolio already holds
 * every relationship of a known customer, grouped by customer in id order, so the holders are
 * the same rows counted and placed by product (a stable counting sort, two passes over the
 * rows). Scanning them again from DuckDB took 9 s at ten million relationships; this takes a
 * fraction of one. `productOf[code]` is the holders' product ordinal of the portfolio's product
 * code (-1 for a product missing from `products`, whose rows ListProductCustomers never joins);
 * customers keep the portfolio's positions. Rows of customers missing from `customers` are not
 * in the portfolio: the caller derives only when there are none.
 */
export function holdersFromPortfolio(
  holdings: HoldingColumns,
  productOf: Int32Array,
  products: number,
): HolderGroups {
  const { offsets, products: held, starts, ends, cents } = holdings;
  const customers = offsets.length - 1;
  const rowsOf = new Int32Array(products + 1);
  const groupOffsets = new Int32Array(products + 1);
  const lastCustomer = new Int32Array(products).fill(-1);
  for (let i = 0; i < customers; i++) {
    const to = offsets[i + 1] ?? 0;
    for (let k = offsets[i] ?? 0; k < to; k++) {
      const p = listedProduct(held, productOf, k);
      if (p < 0) continue;
      rowsOf[p + 1] = (rowsOf[p + 1] ?? 0) + 1;
      if (lastCustomer[p] !== i) {
        lastCustomer[p] = i;
        groupOffsets[p + 1] = (groupOffsets[p + 1] ?? 0) + 1;
      }
    }
  }
  for (let p = 0; p < products; p++) {
    rowsOf[p + 1] = (rowsOf[p + 1] ?? 0) + (rowsOf[p] ?? 0);
    groupOffsets[p + 1] = (groupOffsets[p + 1] ?? 0) + (groupOffsets[p] ?? 0);
  }
  const rows = rowsOf[products] ?? 0;
  const groups = groupOffsets[products] ?? 0;
  const groupCustomer = new Int32Array(groups);
  const groupRows = new Int32Array(groups + 1);
  const groupCents = new Float64Array(groups);
  const rowStarts = new Int32Array(rows);
  const rowEnds = new Int32Array(rows);
  const unsafeGroups = new Set<number>();
  const nextRow = rowsOf.subarray(0, products);
  const nextGroup = groupOffsets.slice(0, products);
  lastCustomer.fill(-1);
  for (let i = 0; i < customers; i++) {
    const to = offsets[i + 1] ?? 0;
    for (let k = offsets[i] ?? 0; k < to; k++) {
      const p = listedProduct(held, productOf, k);
      if (p < 0) continue;
      const r = nextRow[p] ?? 0;
      nextRow[p] = r + 1;
      if (lastCustomer[p] !== i) {
        lastCustomer[p] = i;
        const opened = nextGroup[p] ?? 0;
        nextGroup[p] = opened + 1;
        groupCustomer[opened] = i;
        groupRows[opened] = r;
      }
      rowStarts[r] = starts[k] ?? 0;
      rowEnds[r] = ends[k] ?? 0;
      const value = cents[k] ?? Number.NaN;
      if (Number.isNaN(value)) continue;
      const g = (nextGroup[p] ?? 0) - 1;
      const sum = (groupCents[g] ?? 0) + value;
      groupCents[g] = sum;
      if (Math.abs(sum) > Number.MAX_SAFE_INTEGER) unsafeGroups.add(g);
    }
  }
  groupRows[groups] = rows;
  return {
    groupOffsets,
    groupCustomer,
    groupRows,
    groupCents,
    starts: rowStarts,
    ends: rowEnds,
    unsafeGroups: [...unsafeGroups].sort((a, b) => a - b),
  };
}

/** The holders' product of row `k`: its portfolio code mapped by `productOf`, -1 if unlisted. */
function listedProduct(held: Int32Array, productOf: Int32Array, k: number): number {
  const code = held[k] ?? -1;
  return code < 0 ? -1 : (productOf[code] ?? -1);
}

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
      const p = productOf[held[k] ?? -1] ?? -1;
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
  const out = {
    groupOffsets,
    groupCustomer: new Int32Array(groups),
    groupRows: new Int32Array(groups + 1),
    groupCents: new Float64Array(groups),
    starts: new Int32Array(rows),
    ends: new Int32Array(rows),
    unsafeGroups: [] as number[],
  };
  const nextRow = rowsOf.subarray(0, products);
  const nextGroup = groupOffsets.slice(0, products);
  lastCustomer.fill(-1);
  for (let i = 0; i < customers; i++) {
    const to = offsets[i + 1] ?? 0;
    for (let k = offsets[i] ?? 0; k < to; k++) {
      const p = productOf[held[k] ?? -1] ?? -1;
      if (p < 0) continue;
      const r = nextRow[p] ?? 0;
      nextRow[p] = r + 1;
      if (lastCustomer[p] !== i) {
        lastCustomer[p] = i;
        const opened = nextGroup[p] ?? 0;
        nextGroup[p] = opened + 1;
        out.groupCustomer[opened] = i;
        out.groupRows[opened] = r;
      }
      out.starts[r] = starts[k] ?? 0;
      out.ends[r] = ends[k] ?? 0;
      const value = cents[k] ?? Number.NaN;
      if (Number.isNaN(value)) continue;
      const g = (nextGroup[p] ?? 0) - 1;
      const sum = (out.groupCents[g] ?? 0) + value;
      out.groupCents[g] = sum;
      if (Math.abs(sum) > Number.MAX_SAFE_INTEGER && !out.unsafeGroups.includes(g)) {
        out.unsafeGroups.push(g);
      }
    }
  }
  out.groupRows[groups] = rows;
  out.unsafeGroups.sort((a, b) => a - b);
  return out;
}

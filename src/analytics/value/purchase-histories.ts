/**
 * Purchase histories in the form the likelihoods read: column arrays rather than objects, so
 * a likelihood evaluation over a million customers is a tight loop over typed arrays. Rows may
 * stand for several customers with the same history (`weight`), which is how a large
 * population with day-resolution times shrinks to a few tens of thousands of distinct rows.
 */
export interface PurchaseHistories {
  /** Repeat purchase periods (purchase days after the first) in the calibration window. */
  readonly x: Float64Array;
  /** Time from the first purchase to the last repeat purchase (0 when x = 0). */
  readonly tx: Float64Array;
  /** Time from the first purchase to the end of the calibration window. */
  readonly T: Float64Array;
  /** How many customers have this history. */
  readonly weight: Float64Array;
}

/** Repeat buyers' spend, for the Gamma-Gamma model: one entry per customer. */
export interface SpendHistories {
  /** Repeat purchase periods (x > 0). */
  readonly x: Float64Array;
  /** Mean value of the repeat purchase periods (> 0). */
  readonly zbar: Float64Array;
}

/** Builds {@link PurchaseHistories} from plain rows (tests, small data). */
export function purchaseHistories(
  rows: readonly { readonly x: number; readonly tx: number; readonly T: number; weight?: number }[],
): PurchaseHistories {
  return {
    x: Float64Array.from(rows, (r) => r.x),
    tx: Float64Array.from(rows, (r) => r.tx),
    T: Float64Array.from(rows, (r) => r.T),
    weight: Float64Array.from(rows, (r) => r.weight ?? 1),
  };
}

/** The distinct values of an integer-valued column and each row's index into them. */
export interface DistinctValues {
  readonly values: Float64Array;
  readonly index: Int32Array;
}

/**
 * The distinct values of `column` (repeat counts), so that a likelihood computes its
 * log-gamma terms once per distinct count instead of once per customer.
 */
export function distinctValues(column: Float64Array): DistinctValues {
  const seen = new Map<number, number>();
  const index = new Int32Array(column.length);
  for (let i = 0; i < column.length; i++) {
    const v = column[i] ?? 0;
    let k = seen.get(v);
    if (k === undefined) {
      k = seen.size;
      seen.set(v, k);
    }
    index[i] = k;
  }
  return { values: Float64Array.from(seen.keys()), index };
}

/** The total of `weight`: the customers a set of histories stands for. */
export function customerCount(data: PurchaseHistories): number {
  let n = 0;
  for (let i = 0; i < data.weight.length; i++) n += data.weight[i] ?? 0;
  return n;
}

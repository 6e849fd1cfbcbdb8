import type { ScanColumn } from "../../snapshot/snapshot-reader.js";
import { NO_START, OPEN_END, scannedDay } from "./cells.js";

/** The customer of a holder group: -1 for a NULL customer id. */
export const NO_CUSTOMER = -1;

/**
 * Who holds each product as typed arrays, one group per (product, customer): groups of product
 * `p` are `groupOffsets[p]` to `groupOffsets[p + 1]`, in customer id order (a NULL customer,
 * {@link NO_CUSTOMER}, last); the relationships of group `g` (only their dates, for "active on
 * the day") are `groupRows[g]` to `groupRows[g + 1]`; `groupCents[g]` sums their values, exact
 * unless `g` is one of `unsafeGroups`, whose running sum passed 2^53 cents.
 */
export interface HolderGroups {
  readonly groupOffsets: Int32Array;
  readonly groupCustomer: Int32Array;
  readonly groupRows: Int32Array;
  readonly groupCents: Float64Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly unsafeGroups: readonly number[];
}

/**
 * The {@link HolderGroups} of a scan that returns every relationship as (product ordinal,
 * customer number, start day, end day, cents), grouped by product and then customer: the way
 * the index is built when it cannot be derived from the portfolio (see holders-from-portfolio.ts).
 */
export class ScannedHolderGroups {
  readonly #groupOffsets: Int32Array;
  readonly #groupCustomer: Int32Array;
  readonly #groupRows: Int32Array;
  readonly #groupCents: Float64Array;
  readonly #starts: Int32Array;
  readonly #ends: Int32Array;
  readonly #unsafe: number[] = [];
  #groups = 0;
  #lastProduct = -1;
  #lastCustomer = Number.NaN;

  constructor(relationships: number, products: number) {
    this.#groupOffsets = new Int32Array(products + 1);
    this.#starts = new Int32Array(relationships);
    this.#ends = new Int32Array(relationships);
    this.#groupCustomer = new Int32Array(relationships + 1);
    this.#groupRows = new Int32Array(relationships + 2);
    this.#groupCents = new Float64Array(relationships + 1);
  }

  /** Stores a chunk of the scan from row `first` on (loading, in its order). */
  add(first: number, columns: readonly ScanColumn[], rows: number): void {
    const [products = [], customers = [], starts = [], ends = [], cents = []] = columns;
    for (let r = 0; r < rows; r++) {
      const k = first + r;
      const product = Number(products[r]);
      const customer = Number(customers[r]);
      if (product !== this.#lastProduct || customer !== this.#lastCustomer) {
        this.#open(k, product, customer);
      }
      this.#starts[k] = scannedDay(starts[r], NO_START);
      this.#ends[k] = scannedDay(ends[r], OPEN_END);
      const g = this.#groups - 1;
      this.#groupRows[g + 1] = k + 1;
      const value = Number(cents[r]);
      if (!Number.isNaN(value)) {
        const sum = (this.#groupCents[g] ?? 0) + value;
        this.#groupCents[g] = sum;
        if (Math.abs(sum) > Number.MAX_SAFE_INTEGER && this.#unsafe.at(-1) !== g) {
          this.#unsafe.push(g);
        }
      }
    }
  }

  /** The groups, product offsets completed (called once, after loading). */
  seal(): HolderGroups {
    const offsets = this.#groupOffsets;
    for (let p = 1; p < offsets.length; p++) {
      offsets[p] = Math.max(offsets[p] ?? 0, offsets[p - 1] ?? 0);
    }
    return {
      groupOffsets: offsets,
      groupCustomer: this.#groupCustomer,
      groupRows: this.#groupRows,
      groupCents: this.#groupCents,
      starts: this.#starts,
      ends: this.#ends,
      unsafeGroups: this.#unsafe,
    };
  }

  #open(k: number, product: number, customer: number): void {
    const g = this.#groups++;
    this.#lastProduct = product;
    this.#lastCustomer = customer;
    this.#groupOffsets[product + 1] = g + 1;
    this.#groupRows[g] = k;
    this.#groupCustomer[g] = customer;
  }
}

import type { MemoKey } from "../../snapshot/snapshot-memo.js";
import type { ScanValue, SnapshotReader } from "../../snapshot/snapshot-reader.js";
import type { ProductHolderRow } from "../product-queries.js";
import {
  activeOn,
  centsText,
  dayText,
  NO_START,
  OPEN_END,
  scannedDay,
  scannedText,
} from "./cells.js";
import {
  COUNT_HOLDERS_SQL,
  DUPLICATE_CUSTOMERS_SQL,
  EXACT_TOTAL_SQL,
  HOLDER_CUSTOMERS_SQL,
  HOLDERS_SQL,
  PRODUCT_IDS_SQL,
} from "./product-holders-sql.js";
import { countOf, refuseAny, scanPasses } from "./scan-passes.js";
import { Codes, StringPool, utf8 } from "./string-pool.js";

/** The customer of a holder group: -1 for a NULL customer id. */
const NO_CUSTOMER = -1;

/**
 * Who holds each product, one group per (product, customer) with its sums, so
 * ListProductCustomers runs no statement. Groups of product `p` are `groupOffsets[p]` to
 * `groupOffsets[p + 1]`, in customer id order; the relationships of group `g` (only their dates,
 * for "active on the day") are `rowOffsets[g]` to `rowOffsets[g + 1]`. Customer ids, names and
 * regions are stored once per customer. Definitions as in product-queries.ts, held to them by
 * test/memory-answers-match-sql.test.ts.
 */
export class ProductHoldersIndex {
  readonly #products = new StringPool(1024);
  #groupOffsets = new Int32Array(1);
  readonly #customerIds = new StringPool(1024);
  readonly #customerNames = new StringPool(1024);
  readonly #regions = new Codes();
  #customerRegion = new Int32Array(1024);
  readonly #groupCustomer: Int32Array;
  readonly #groupRows: Int32Array;
  readonly #groupCents: Float64Array;
  /** Group totals past 2^53 cents, as exact text. */
  readonly #bigTotals = new Map<number, string>();
  readonly #starts: Int32Array;
  readonly #ends: Int32Array;
  #groups = 0;
  #lastProduct = -1;
  #lastCustomer = Number.NaN;
  #safe = true;
  /** Groups whose total passed 2^53 cents: summed exactly in SQL after loading. */
  readonly #unsafeGroups: { group: number; product: number; customer: number }[] = [];

  constructor(relationships: number) {
    this.#starts = new Int32Array(relationships);
    this.#ends = new Int32Array(relationships);
    this.#groupCustomer = new Int32Array(relationships + 1);
    this.#groupRows = new Int32Array(relationships + 2);
    this.#groupCents = new Float64Array(relationships + 1);
  }

  /** The bytes its arrays hold. */
  get bytes(): number {
    return (
      this.#products.bytes +
      this.#groupOffsets.byteLength +
      this.#customerIds.bytes +
      this.#customerNames.bytes +
      this.#customerRegion.byteLength +
      this.#regions.bytes +
      this.#groupCustomer.byteLength * 2 +
      this.#groupCents.byteLength +
      this.#starts.byteLength * 2
    );
  }

  /** Whether the snapshot has a product with this id (ListProductCustomers' NOT_FOUND). */
  has(productId: string): boolean {
    return this.#products.indexOf(productId) >= 0;
  }

  /**
   * Up to `pageSize` holders of the product with a customer id above `after`, summed as the
   * statement sums them on `day` (only those active that day with `activeOnly`).
   */
  page(
    productId: string,
    day: number,
    activeOnly: boolean,
    after: string | null,
    pageSize: number,
  ): { holders: ProductHolderRow[]; more: boolean } {
    const p = this.#products.indexOf(productId);
    if (p < 0) return { holders: [], more: false };
    const to = this.#groupOffsets[p + 1] ?? 0;
    let g = this.#groupOffsets[p] ?? 0;
    if (after !== null) g = this.#firstAbove(g, to, utf8(after));
    const holders: ProductHolderRow[] = [];
    for (; g < to; g++) {
      const customer = this.#groupCustomer[g] ?? NO_CUSTOMER;
      if (after !== null && customer === NO_CUSTOMER) break;
      const active = this.#active(g, day);
      if (activeOnly && !active) continue;
      if (holders.length === pageSize) return { holders, more: true };
      holders.push(this.#holder(g, customer, active));
    }
    return { holders, more: false };
  }

  /** Stores a chunk of {@link PRODUCT_IDS_SQL} (loading). */
  addProducts(columns: readonly (readonly ScanValue[])[], rows: number): void {
    const [ids = []] = columns;
    for (let r = 0; r < rows; r++) this.#products.push(String(ids[r]));
    this.#groupOffsets = new Int32Array(this.#products.size + 1);
  }

  /** Stores a chunk of {@link HOLDER_CUSTOMERS_SQL} (loading, before the relationships). */
  addCustomers(columns: readonly (readonly ScanValue[])[], rows: number): void {
    const [ids = [], names = [], regions = []] = columns;
    for (let r = 0; r < rows; r++) {
      const code = this.#customerIds.push(String(ids[r]));
      this.#customerNames.push(scannedText(names[r]) ?? "");
      if (code >= this.#customerRegion.length) {
        const grown = new Int32Array(this.#customerRegion.length * 2);
        grown.set(this.#customerRegion);
        this.#customerRegion = grown;
      }
      this.#customerRegion[code] = this.#regions.code(scannedText(regions[r]));
    }
  }

  /** Stores a chunk of {@link HOLDERS_SQL} from row `first` on (loading, in its order). */
  addHolders(first: number, columns: readonly (readonly ScanValue[])[], rows: number): void {
    const [products = [], customers = [], starts = [], ends = [], cents = []] = columns;
    for (let r = 0; r < rows; r++) {
      const k = first + r;
      const product = Number(products[r]);
      const customer = Number(customers[r]);
      if (product !== this.#lastProduct || customer !== this.#lastCustomer) {
        this.#closeGroup();
        this.#openGroup(k, product, customer);
      }
      this.#starts[k] = scannedDay(starts[r], NO_START);
      this.#ends[k] = scannedDay(ends[r], OPEN_END);
      const g = this.#groups - 1;
      this.#groupRows[g + 1] = k + 1;
      const value = Number(cents[r]);
      if (!Number.isNaN(value)) {
        const sum = (this.#groupCents[g] ?? 0) + value;
        this.#groupCents[g] = sum;
        if (Math.abs(sum) > Number.MAX_SAFE_INTEGER) this.#safe = false;
      }
    }
  }

  /**
   * The groups whose total passed 2^53 cents (rare: a customer holding one product for more
   * than 90 trillion), as product ordinal and customer id, to be summed exactly by SQL.
   */
  unsafeTotals(): { group: number; product: number; customerId: string | null }[] {
    return this.#unsafeGroups.map(({ group, product, customer }) => ({
      group,
      product,
      customerId: customer === NO_CUSTOMER ? null : this.#customerIds.get(customer),
    }));
  }

  /** Sets the exact total of group `group` (from {@link unsafeTotals}). */
  setTotal(group: number, total: string): void {
    this.#bigTotals.set(group, total);
  }

  /** Completes the last group and the product offsets (called once, after loading). */
  seal(): void {
    this.#closeGroup();
    for (let p = 1; p < this.#groupOffsets.length; p++) {
      this.#groupOffsets[p] = Math.max(this.#groupOffsets[p] ?? 0, this.#groupOffsets[p - 1] ?? 0);
    }
    this.#customerRegion = this.#customerRegion.slice(0, this.#customerIds.size);
    this.#products.seal();
    this.#customerIds.seal();
    this.#customerNames.seal();
  }

  #openGroup(k: number, product: number, customer: number): void {
    const g = this.#groups++;
    this.#lastProduct = product;
    this.#lastCustomer = customer;
    this.#groupOffsets[product + 1] = g + 1;
    this.#groupRows[g] = k;
    this.#groupCustomer[g] = customer;
  }

  /** Sums a group past 2^53 cents again, exactly, from its rows' values (kept only then). */
  #closeGroup(): void {
    const g = this.#groups - 1;
    if (g >= 0 && !this.#safe) {
      this.#unsafeGroups.push({
        group: g,
        product: this.#lastProduct,
        customer: this.#lastCustomer,
      });
    }
    this.#safe = true;
  }

  /** The first group in [from, to) whose customer id is above `key` (a NULL id is last). */
  #firstAbove(from: number, to: number, key: Buffer): number {
    const above = this.#customerIds.lowerBound(key, 0, this.#customerIds.size, true);
    let lo = from;
    let hi = to;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const customer = this.#groupCustomer[mid] ?? NO_CUSTOMER;
      if (customer !== NO_CUSTOMER && customer < above) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #active(g: number, day: number): boolean {
    const to = this.#groupRows[g + 1] ?? 0;
    for (let k = this.#groupRows[g] ?? 0; k < to; k++) {
      if (activeOn(this.#starts[k] ?? NO_START, this.#ends[k] ?? OPEN_END, day)) return true;
    }
    return false;
  }

  #holder(g: number, customer: number, active: boolean): ProductHolderRow {
    const known = customer !== NO_CUSTOMER;
    let first = OPEN_END;
    let last = NO_START;
    const to = this.#groupRows[g + 1] ?? 0;
    for (let k = this.#groupRows[g] ?? 0; k < to; k++) {
      const start = this.#starts[k] ?? NO_START;
      if (start === NO_START) continue;
      if (start < first) first = start;
      if (start > last) last = start;
    }
    return {
      customerId: known ? this.#customerIds.get(customer) : "",
      customerName: known ? this.#customerNames.get(customer) : "",
      region: known ? (this.#regions.value(this.#customerRegion[customer] ?? -1) ?? "") : "",
      relationships: (this.#groupRows[g + 1] ?? 0) - (this.#groupRows[g] ?? 0),
      active,
      firstStartDate: dayText(first),
      lastStartDate: dayText(last),
      totalValue: this.#bigTotals.get(g) ?? centsText(this.#groupCents[g] ?? 0),
    };
  }
}

/** Loads the {@link ProductHoldersIndex} of a snapshot in three scans, in the background. */
export async function loadProductHoldersIndex(
  db: SnapshotReader,
  stopped: () => boolean,
): Promise<ProductHoldersIndex> {
  await refuseAny(db, DUPLICATE_CUSTOMERS_SQL, "some customer ids appear twice in customers");
  const index = new ProductHoldersIndex(await countOf(db, COUNT_HOLDERS_SQL));
  await scanPasses(db, stopped, [
    { sql: PRODUCT_IDS_SQL, take: (columns, rows) => index.addProducts(columns, rows) },
    { sql: HOLDER_CUSTOMERS_SQL, take: (columns, rows) => index.addCustomers(columns, rows) },
    {
      sql: HOLDERS_SQL,
      params: [NO_START, OPEN_END],
      take: (columns, rows, offset) => index.addHolders(offset, columns, rows),
    },
  ]);
  index.seal();
  for (const { group, product, customerId } of index.unsafeTotals()) {
    const [row] = await db.all(EXACT_TOTAL_SQL, [product, customerId]);
    index.setTotal(group, String(row?.total ?? "0.00"));
  }
  return index;
}

/** The in-memory holders of every product, built once per snapshot. */
export const PRODUCT_HOLDERS_INDEX: MemoKey<ProductHoldersIndex> = {
  name: "product holders index",
  build: loadProductHoldersIndex,
};

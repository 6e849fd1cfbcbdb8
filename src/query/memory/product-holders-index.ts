import type { MemoKey } from "../../snapshot/snapshot-memo.js";
import type { ScanValue, SnapshotReader } from "../../snapshot/snapshot-reader.js";
import type { ProductHolderRow } from "../product-queries.js";
import {
  activeOn,
  centsSql,
  daySql,
  dayText,
  decimalText,
  NO_START,
  OPEN_END,
  scannedDay,
  scannedText,
} from "./cells.js";
import { Codes, StringPool, utf8 } from "./string-pool.js";

/** The products (distinct, in id order): their position is their ordinal below. */
const PRODUCT_IDS_SQL = `SELECT DISTINCT product_id::VARCHAR AS product_id FROM products
  WHERE product_id IS NOT NULL ORDER BY product_id`;

const JOIN = `FROM customer_products_by_product h
  JOIN (SELECT product_id, (row_number() OVER (ORDER BY product_id) - 1)::INTEGER AS ordinal
        FROM (SELECT DISTINCT product_id FROM products WHERE product_id IS NOT NULL)) pr
    ON pr.product_id = h.product_id
  LEFT JOIN customers c ON c.customer_id = h.customer_id`;

/** The rows {@link HOLDERS_SQL} returns, to size the arrays. */
const COUNT_HOLDERS_SQL = `SELECT count(*)::BIGINT AS n ${JOIN}`;

/**
 * Every relationship of a known product joined as ListProductCustomers joins it, grouped by
 * product, then by customer id (a NULL id last, as the statement's ORDER BY puts it).
 */
const HOLDERS_SQL = `SELECT pr.ordinal AS product, h.customer_id::VARCHAR AS customer_id,
    c.customer_name::VARCHAR AS customer_name, c.region::VARCHAR AS region,
    ${daySql("h.start_date")} AS start_day, ${daySql("h.end_date")} AS end_day,
    ${centsSql('h."value"')} AS cents
  ${JOIN}
  ORDER BY pr.ordinal, h.customer_id NULLS LAST`;

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
  readonly #customerCode = new Map<string, number>();
  readonly #groupCustomer: Int32Array;
  readonly #groupRows: Int32Array;
  readonly #groupCents: Float64Array;
  /** Group totals past 2^53 cents, as exact text. */
  readonly #bigTotals = new Map<number, string>();
  readonly #starts: Int32Array;
  readonly #ends: Int32Array;
  #groups = 0;
  #lastProduct = -1;
  #lastCustomer: string | null | undefined;
  #exact = 0n;
  #safe = true;

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

  /** Stores a chunk of {@link HOLDERS_SQL} from row `first` on (loading, in its order). */
  addHolders(first: number, columns: readonly (readonly ScanValue[])[], rows: number): void {
    const [products = [], customers = [], names = [], regions = [], starts = [], ends = []] =
      columns;
    const cents = columns[6] ?? [];
    for (let r = 0; r < rows; r++) {
      const k = first + r;
      const product = Number(products[r]);
      const customer = scannedText(customers[r]);
      if (product !== this.#lastProduct || customer !== this.#lastCustomer) {
        this.#closeGroup();
        this.#openGroup(k, product, customer, names[r], regions[r]);
      }
      const start = scannedDay(starts[r], NO_START);
      this.#starts[k] = start;
      this.#ends[k] = scannedDay(ends[r], OPEN_END);
      const g = this.#groups - 1;
      this.#groupRows[g + 1] = k + 1;
      const value = Number(cents[r]);
      if (!Number.isNaN(value)) {
        this.#exact += BigInt(value);
        const sum = (this.#groupCents[g] ?? 0) + value;
        this.#groupCents[g] = sum;
        if (Math.abs(sum) > Number.MAX_SAFE_INTEGER) this.#safe = false;
      }
    }
  }

  /** Completes the last group and the product offsets (called once, after loading). */
  seal(): void {
    this.#closeGroup();
    for (let p = 1; p < this.#groupOffsets.length; p++) {
      this.#groupOffsets[p] = Math.max(this.#groupOffsets[p] ?? 0, this.#groupOffsets[p - 1] ?? 0);
    }
    this.#customerRegion = this.#customerRegion.slice(0, this.#customerIds.size);
    this.#customerCode.clear();
    this.#products.seal();
    this.#customerIds.seal();
    this.#customerNames.seal();
  }

  #openGroup(
    k: number,
    product: number,
    customer: string | null,
    name: ScanValue | undefined,
    region: ScanValue | undefined,
  ): void {
    const g = this.#groups++;
    this.#lastProduct = product;
    this.#lastCustomer = customer;
    this.#groupOffsets[product + 1] = g + 1;
    this.#groupRows[g] = k;
    this.#groupCustomer[g] =
      customer === null ? NO_CUSTOMER : this.#customer(customer, name, region);
  }

  #closeGroup(): void {
    const g = this.#groups - 1;
    if (g >= 0 && !this.#safe) this.#bigTotals.set(g, decimalText(this.#exact));
    this.#exact = 0n;
    this.#safe = true;
  }

  #customer(id: string, name: ScanValue | undefined, region: ScanValue | undefined): number {
    let code = this.#customerCode.get(id);
    if (code === undefined) {
      code = this.#customerIds.push(id);
      this.#customerNames.push(scannedText(name) ?? "");
      if (code >= this.#customerRegion.length) {
        const grown = new Int32Array(this.#customerRegion.length * 2);
        grown.set(this.#customerRegion);
        this.#customerRegion = grown;
      }
      this.#customerRegion[code] = this.#regions.code(scannedText(region));
      this.#customerCode.set(id, code);
    }
    return code;
  }

  /** The first group in [from, to) whose customer id is above `key` (a NULL id is last). */
  #firstAbove(from: number, to: number, key: Buffer): number {
    let lo = from;
    let hi = to;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const customer = this.#groupCustomer[mid] ?? NO_CUSTOMER;
      if (customer !== NO_CUSTOMER && this.#customerIds.compare(customer, key) <= 0) lo = mid + 1;
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
      totalValue: this.#bigTotals.get(g) ?? decimalText(BigInt(this.#groupCents[g] ?? 0)),
    };
  }
}

/** Loads the {@link ProductHoldersIndex} of a snapshot in two scans, in the background. */
export async function loadProductHoldersIndex(
  db: SnapshotReader,
  stopped: () => boolean,
): Promise<ProductHoldersIndex> {
  const [count = { n: 0 }] = await db.all(COUNT_HOLDERS_SQL);
  const index = new ProductHoldersIndex(Number(count.n));
  await db.scan(PRODUCT_IDS_SQL, [], (columns, rows) => {
    index.addProducts(columns, rows);
    return !stopped();
  });
  let loaded = 0;
  await db.scan(HOLDERS_SQL, [NO_START, OPEN_END], (columns, rows) => {
    index.addHolders(loaded, columns, rows);
    loaded += rows;
    return !stopped();
  });
  index.seal();
  return index;
}

/** The in-memory holders of every product, built once per snapshot. */
export const PRODUCT_HOLDERS_INDEX: MemoKey<ProductHoldersIndex> = {
  name: "product holders index",
  build: loadProductHoldersIndex,
};

import type { MemoKey } from "../../snapshot/snapshot-memo.js";
import type { SnapshotReader } from "../../snapshot/snapshot-reader.js";
import type { ProductHolderRow } from "../product-queries.js";
import { bytesHeld } from "./bytes-held.js";
import { activeOn, centsText, dayText, NO_START, OPEN_END, safeCentsText } from "./cells.js";
import { CUSTOMER_LIST_INDEX } from "./customer-list-index.js";
import {
  type HolderCustomers,
  listedHolderCustomers,
  ScannedHolderCustomers,
} from "./holder-customers.js";
import { type HolderGroups, NO_CUSTOMER, ScannedHolderGroups } from "./holder-groups.js";
import { holdersFromPortfolio } from "./holders-from-portfolio.js";
import { PORTFOLIO_INDEX } from "./portfolio-index.js";
import {
  COUNT_HOLDERS_SQL,
  DUPLICATE_CUSTOMERS_SQL,
  EXACT_TOTAL_SQL,
  HOLDER_CUSTOMERS_SQL,
  HOLDERS_SQL,
  LISTED_RELATIONSHIPS_SQL,
  PRODUCT_IDS_SQL,
  SUMMARY_UNSAFE_SQL,
} from "./product-holders-sql.js";
import { countOf, refuseAny, scanPasses } from "./scan-passes.js";
import { StringPool } from "./string-pool.js";

/** Where a holders index was built from: the portfolio's rows, or a scan of its own. */
export type HoldersSource = "portfolio" | "scan";

/** GetProduct's summary of a product's holders on a day, as its statement sums them. */
export interface HoldersSummary {
  readonly activeCustomers: number;
  readonly totalCustomers: number;
  readonly relationships: number;
  readonly totalValue: string;
}

/**
 * Who holds each product, one group per (product, customer) with its sums, so
 * ListProductCustomers and GetProduct's summary run no statement (the groups' layout is
 * {@link HolderGroups}). Product ids are stored once; customer ids, names and regions come from
 * {@link HolderCustomers}, the customer list's own columns when the groups were derived from
 * the portfolio. Definitions as
 * in product-queries.ts, held to them by test/memory-answers-match-sql.test.ts.
 */
export class ProductHoldersIndex {
  /** Group totals past 2^53 cents, as exact text. */
  readonly #bigTotals = new Map<number, string>();

  constructor(
    private readonly products: StringPool,
    private readonly customers: HolderCustomers,
    private readonly groups: HolderGroups,
    /** Where it was built from, for the tests that prove both ways give the SQL's answers. */
    readonly source: HoldersSource,
    /** Whether {@link summary} may answer (see `SUMMARY_UNSAFE_SQL`). */
    private readonly summaries: boolean,
  ) {}

  /** The bytes its arrays hold. */
  get bytes(): number {
    return (
      this.products.bytes +
      this.customers.bytes +
      bytesHeld(Object.values(this.groups).filter((part) => ArrayBuffer.isView(part)))
    );
  }

  /** Whether the snapshot has a product with this id (ListProductCustomers' NOT_FOUND). */
  has(productId: string): boolean {
    return this.products.indexOf(productId) >= 0;
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
    const p = this.products.indexOf(productId);
    if (p < 0) return { holders: [], more: false };
    const to = this.groups.groupOffsets[p + 1] ?? 0;
    let g = this.groups.groupOffsets[p] ?? 0;
    if (after !== null) g = this.#firstAbove(g, to, after);
    const holders: ProductHolderRow[] = [];
    for (; g < to; g++) {
      const customer = this.groups.groupCustomer[g] ?? NO_CUSTOMER;
      if (after !== null && customer === NO_CUSTOMER) break;
      const active = this.#active(g, day);
      if (activeOnly && !active) continue;
      if (holders.length === pageSize) return { holders, more: true };
      holders.push(this.#holder(g, customer, active));
    }
    return { holders, more: false };
  }

  /**
   * GetProduct's summary of the product's holders on `day`: customers (a NULL customer id is
   * not one) active that day and in all, relationships and their total value. Undefined when
   * SQL must answer: the product is unknown, the snapshot is one `SUMMARY_UNSAFE_SQL` refuses,
   * or the total is past 2^53 cents and needs exact decimals.
   */
  summary(productId: string, day: number): HoldersSummary | undefined {
    const p = this.products.indexOf(productId);
    if (!this.summaries || p < 0) return undefined;
    const from = this.groups.groupOffsets[p] ?? 0;
    const to = this.groups.groupOffsets[p + 1] ?? 0;
    let activeCustomers = 0;
    let totalCustomers = 0;
    let cents = 0;
    for (let g = from; g < to; g++) {
      if (this.#bigTotals.has(g)) return undefined;
      cents += this.groups.groupCents[g] ?? 0;
      if ((this.groups.groupCustomer[g] ?? NO_CUSTOMER) === NO_CUSTOMER) continue;
      totalCustomers++;
      if (this.#active(g, day)) activeCustomers++;
    }
    if (!Number.isSafeInteger(cents)) return undefined;
    return {
      activeCustomers,
      totalCustomers,
      relationships: (this.groups.groupRows[to] ?? 0) - (this.groups.groupRows[from] ?? 0),
      totalValue: safeCentsText(cents),
    };
  }

  /**
   * The groups whose total passed 2^53 cents (rare: a customer holding one product for more
   * than 90 trillion), as product ordinal and customer id, to be summed exactly by SQL.
   */
  unsafeTotals(): { group: number; product: number; customerId: string | null }[] {
    return this.groups.unsafeGroups.map((group) => {
      const customer = this.groups.groupCustomer[group] ?? NO_CUSTOMER;
      return {
        group,
        product: this.#productOfGroup(group),
        customerId: customer === NO_CUSTOMER ? null : this.customers.id(customer),
      };
    });
  }

  /** Sets the exact total of group `group` (from {@link unsafeTotals}). */
  setTotal(group: number, total: string): void {
    this.#bigTotals.set(group, total);
  }

  /** The product whose groups include `group` (a binary search of the offsets). */
  #productOfGroup(group: number): number {
    let lo = 0;
    let hi = this.groups.groupOffsets.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.groups.groupOffsets[mid] ?? 0) <= group) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The first group in [from, to) whose customer id is above `key` (a NULL id is last). */
  #firstAbove(from: number, to: number, customerId: string): number {
    const above = this.customers.above(customerId);
    let lo = from;
    let hi = to;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const customer = this.groups.groupCustomer[mid] ?? NO_CUSTOMER;
      if (customer !== NO_CUSTOMER && customer < above) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #active(g: number, day: number): boolean {
    const to = this.groups.groupRows[g + 1] ?? 0;
    for (let k = this.groups.groupRows[g] ?? 0; k < to; k++) {
      if (activeOn(this.groups.starts[k] ?? NO_START, this.groups.ends[k] ?? OPEN_END, day))
        return true;
    }
    return false;
  }

  #holder(g: number, customer: number, active: boolean): ProductHolderRow {
    const known = customer !== NO_CUSTOMER;
    let first = OPEN_END;
    let last = NO_START;
    const to = this.groups.groupRows[g + 1] ?? 0;
    for (let k = this.groups.groupRows[g] ?? 0; k < to; k++) {
      const start = this.groups.starts[k] ?? NO_START;
      if (start === NO_START) continue;
      if (start < first) first = start;
      if (start > last) last = start;
    }
    return {
      customerId: known ? this.customers.id(customer) : "",
      customerName: known ? this.customers.name(customer) : "",
      region: known ? this.customers.region(customer) : "",
      relationships: (this.groups.groupRows[g + 1] ?? 0) - (this.groups.groupRows[g] ?? 0),
      active,
      firstStartDate: dayText(first),
      lastStartDate: dayText(last),
      totalValue: this.#bigTotals.get(g) ?? centsText(this.groups.groupCents[g] ?? 0),
    };
  }
}

/**
 * Loads the {@link ProductHoldersIndex} of a snapshot in the background: derived from the
 * portfolio and customer list indexes (built first if they are not) when both are built and
 * every relationship of a listed product has a listed customer, else by scans of its own (a
 * NULL or orphan customer is a holder the portfolio does not hold). Either way the exact
 * totals past 2^53 cents are summed by SQL.
 */
export async function loadProductHoldersIndex(
  db: SnapshotReader,
  stopped: () => boolean,
): Promise<ProductHoldersIndex> {
  await refuseAny(db, DUPLICATE_CUSTOMERS_SQL, "some customer ids appear twice in customers");
  const products = new StringPool(1024);
  await scanPasses(db, stopped, [
    {
      sql: PRODUCT_IDS_SQL,
      take: (columns, rows) => {
        for (let r = 0; r < rows; r++) products.push(String(columns[0]?.[r]));
      },
    },
  ]);
  products.seal();
  const summaries = (await countOf(db, SUMMARY_UNSAFE_SQL)) === 0;
  const index =
    (await fromPortfolio(db, stopped, products, summaries)) ??
    (await fromScans(db, stopped, products, summaries));
  for (const { group, product, customerId } of index.unsafeTotals()) {
    const [row] = await db.all(EXACT_TOTAL_SQL, [product, customerId]);
    index.setTotal(group, String(row?.total ?? "0.00"));
  }
  return index;
}

/** The index derived from the portfolio's rows, or undefined when it cannot be (see above). */
async function fromPortfolio(
  db: SnapshotReader,
  stopped: () => boolean,
  products: StringPool,
  summaries: boolean,
): Promise<ProductHoldersIndex | undefined> {
  const [portfolio, list] = await Promise.all([
    db.memo.settled(PORTFOLIO_INDEX),
    db.memo.settled(CUSTOMER_LIST_INDEX),
  ]);
  if (stopped()) throw new Error("the snapshot was closed");
  if (portfolio === undefined || list === undefined) return undefined;
  if (portfolio.customerCount !== list.size) return undefined;
  const holdings = portfolio.columns;
  const productOf = new Int32Array(holdings.productCount);
  for (let code = 0; code < productOf.length; code++) {
    productOf[code] = products.indexOf(portfolio.productIdOf(code));
  }
  const groups = holdersFromPortfolio(holdings, productOf, products.size);
  const derived = groups.groupRows[groups.groupRows.length - 1] ?? 0;
  if (derived !== (await countOf(db, LISTED_RELATIONSHIPS_SQL))) return undefined;
  return new ProductHoldersIndex(
    products,
    listedHolderCustomers(list),
    groups,
    "portfolio",
    summaries,
  );
}

/** The index from two scans of its own: the holding customers, then every relationship. */
async function fromScans(
  db: SnapshotReader,
  stopped: () => boolean,
  products: StringPool,
  summaries: boolean,
): Promise<ProductHoldersIndex> {
  const customers = new ScannedHolderCustomers();
  const groups = new ScannedHolderGroups(await countOf(db, COUNT_HOLDERS_SQL), products.size);
  await scanPasses(db, stopped, [
    { sql: HOLDER_CUSTOMERS_SQL, take: (columns, rows) => customers.add(columns, rows) },
    {
      sql: HOLDERS_SQL,
      params: [NO_START, OPEN_END],
      take: (columns, rows, offset) => groups.add(offset, columns, rows),
    },
  ]);
  customers.seal();
  return new ProductHoldersIndex(products, customers, groups.seal(), "scan", summaries);
}

/** The in-memory holders of every product, built once per snapshot. */
export const PRODUCT_HOLDERS_INDEX: MemoKey<ProductHoldersIndex> = {
  name: "product holders index",
  build: loadProductHoldersIndex,
};

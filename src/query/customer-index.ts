import type { MemoKey } from "../snapshot/snapshot-memo.js";
import type { SnapshotReader } from "../snapshot/snapshot-reader.js";
import type { CustomerDetail } from "./customer-queries.js";
import { dayOf, dayText, decimalText, NO_START, OPEN_END, safeCentsText } from "./memory/cells.js";
import { CUSTOMER_LIST_INDEX, type CustomerListIndex } from "./memory/customer-list-index.js";
import { type HoldingColumns, PORTFOLIO_INDEX } from "./memory/portfolio-index.js";
import { DUPLICATE_CUSTOMERS_SQL } from "./memory/product-holders-sql.js";
import { refuseAny } from "./memory/scan-passes.js";
import type { CustomerSummaryRow } from "./rows.js";

/**
 * GetCustomer and BatchGetCustomers answered from memory: DuckDB spends 10–17 ms of CPU on one
 * lookup at a million customers (docs/performance.md), which caps two cores at a few hundred
 * lookups a second. The index holds nothing of its own: the customer's row comes from the
 * customer list index and its relationships from the portfolio index, which hold the same rows
 * (a second copy of ten million relationships cost 200 MiB and seconds of build). The summary
 * is computed per call for any as-of day, with the definitions of the SQL in
 * customer-queries.ts (test/customer-index-matches-sql.test.ts holds them to it): a product is
 * active when one of its relationships has started and not ended.
 */
export class CustomerIndex {
  readonly #holdings: HoldingColumns;
  /** Per product code, the call that last counted it held (and active): no set per call. */
  readonly #seen: Int32Array;
  readonly #seenActive: Int32Array;
  #call = 0;

  constructor(
    private readonly customers: CustomerListIndex,
    holdings: HoldingColumns,
  ) {
    this.#holdings = holdings;
    this.#seen = new Int32Array(holdings.productCount);
    this.#seenActive = new Int32Array(holdings.productCount);
  }

  /** It shares its rows with the structures it reads: only its two stamp arrays are its own. */
  get bytes(): number {
    return this.#seen.byteLength + this.#seenActive.byteLength;
  }

  /** How many customers are held. */
  get size(): number {
    return this.customers.size;
  }

  /** The customer and the summary of their holdings as of `asOf` (`YYYY-MM-DD`), if known. */
  detail(customerId: string, asOf: string): CustomerDetail | undefined {
    const i = this.customers.indexOf(customerId);
    if (i < 0) return undefined;
    return { customer: this.customers.row(i), summary: this.#summary(i, asOf) };
  }

  #summary(i: number, asOf: string): CustomerSummaryRow {
    const { offsets, products, starts, ends, cents: values, hasId } = this.#holdings;
    const day = dayOf(asOf);
    const from = offsets[i] ?? 0;
    const to = offsets[i + 1] ?? from;
    const call = this.#nextCall();
    let activeProducts = 0;
    let totalProducts = 0;
    let relationships = 0;
    let cents = 0;
    let exact = true;
    let first = OPEN_END;
    let last = NO_START;
    for (let k = from; k < to; k++) {
      const product = products[k] ?? -1;
      if (product >= 0 && this.#seen[product] !== call) {
        this.#seen[product] = call;
        totalProducts++;
      }
      relationships += hasId[k] ?? 0;
      const value = values[k] ?? Number.NaN;
      if (!Number.isNaN(value)) {
        cents += value;
        if (Math.abs(cents) > Number.MAX_SAFE_INTEGER) exact = false;
      }
      const start = starts[k] ?? NO_START;
      if (start === NO_START) continue;
      if (start < first) first = start;
      if (start > last) last = start;
      const active = start <= day && (ends[k] ?? OPEN_END) >= day;
      if (active && product >= 0 && this.#seenActive[product] !== call) {
        this.#seenActive[product] = call;
        activeProducts++;
      }
    }
    return {
      activeProducts,
      totalProducts,
      relationships,
      totalValue: exact ? safeCentsText(cents) : this.#exactTotal(from, to),
      firstStartDate: first === OPEN_END ? "" : dayText(first),
      lastStartDate: last === NO_START ? "" : dayText(last),
      asOf,
    };
  }

  /** A new stamp for one summary; the arrays are cleared when the stamps run out. */
  #nextCall(): number {
    if (this.#call === 0x7fffffff) {
      this.#seen.fill(0);
      this.#seenActive.fill(0);
      this.#call = 0;
    }
    return ++this.#call;
  }

  /** The total in exact integer arithmetic, for sums past 2^53 cents. */
  #exactTotal(from: number, to: number): string {
    let cents = 0n;
    for (let k = from; k < to; k++) {
      const value = this.#holdings.cents[k] ?? Number.NaN;
      if (!Number.isNaN(value)) cents += BigInt(value);
    }
    return decimalText(cents);
  }
}

/**
 * Builds the {@link CustomerIndex} of a snapshot from the customer list and portfolio indexes
 * (built first if they are not). Refuses a snapshot whose customer ids repeat, or whose two
 * structures do not number the same customers, so SQL keeps answering it.
 */
export async function loadCustomerIndex(
  db: SnapshotReader,
  stopped: () => boolean,
): Promise<CustomerIndex> {
  await refuseAny(db, DUPLICATE_CUSTOMERS_SQL, "some customer ids appear twice in customers");
  const [customers, portfolio] = await Promise.all([
    db.memo.settled(CUSTOMER_LIST_INDEX),
    db.memo.settled(PORTFOLIO_INDEX),
  ]);
  if (stopped()) throw new Error("the snapshot was closed");
  if (customers === undefined || portfolio === undefined) {
    throw new Error("the customer list or portfolio index it reads was not built");
  }
  if (customers.size !== portfolio.customerCount) {
    throw new Error("the customer list and portfolio indexes hold different customers");
  }
  return new CustomerIndex(customers, portfolio.columns);
}

/** The in-memory customer index, built once per snapshot (see {@link CustomerIndex}). */
export const CUSTOMER_INDEX: MemoKey<CustomerIndex> = {
  name: "customer index",
  build: loadCustomerIndex,
};

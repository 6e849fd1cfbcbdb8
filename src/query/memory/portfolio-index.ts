import type { MemoKey } from "../../snapshot/snapshot-memo.js";
import type { ScanColumn, SnapshotReader } from "../../snapshot/snapshot-reader.js";
import type { Utf8Column } from "../../snapshot/utf8-column.js";
import type { HoldingRow, PortfolioTotalRow } from "../portfolio-queries.js";
import { bytesHeld } from "./bytes-held.js";
import {
  activeOn,
  centsText,
  dayText,
  decimalText,
  FIRST_DAY,
  NO_START,
  OPEN_END,
  scannedDay,
  scannedText,
} from "./cells.js";
import { sealedOffsets } from "./group-offsets.js";
import {
  COUNT_HOLDINGS_SQL,
  CUSTOMER_IDS_SQL,
  DUPLICATE_PRODUCTS_SQL,
  HELD_SQL,
  HOLDINGS_SQL,
  SORTED_HOLDINGS_SQL,
  TYPE_CODES,
  TYPES_SQL,
} from "./portfolio-sql.js";
import { loadSealed, refuseAny } from "./scan-passes.js";
import { Codes, StringPool, utf8 } from "./string-pool.js";

/** The product of a holding as the join gives it (one entry per distinct combination). */
interface HeldProduct {
  readonly productId: string;
  readonly productName: string;
  readonly productCategory: string;
  /** The category's code in {@link PortfolioIndex} categories (-1 for NULL). */
  readonly category: number;
}

/**
 * The holdings of every customer as typed arrays: customer `i`'s rows are `offsets[i]` to
 * `offsets[i + 1]`; `products` are codes below `productCount` (-1 for a NULL product), days
 * and cents as in cells.ts, `hasId` 1 where the relationship id is not NULL.
 */
export interface HoldingColumns {
  readonly offsets: Int32Array;
  readonly products: Int32Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly cents: Float64Array;
  readonly hasId: Uint8Array;
  readonly productCount: number;
}

/** Where a page continues: after this sort day and relationship id (the page token's key). */
export interface PortfolioKey {
  readonly day: number;
  /** Null only for a key naming no id: then no row of the same day follows it. */
  readonly relationshipId: string | null;
}

/** A page of holdings read from memory, and the key of its last row. */
export interface PortfolioPage {
  readonly holdings: HoldingRow[];
  /** Whether rows follow the page. */
  readonly more: boolean;
  /** The sort date and relationship id of the last row ("" when there is none). */
  readonly last: readonly [string, string] | undefined;
}

/**
 * Every customer's holdings in typed arrays, so GetCustomerPortfolio runs no statement: the
 * SQL path spends two DuckDB statements (about 1–3 ms of fixed cost each) per page. Holdings
 * of customer `i` are rows `offsets[i]` to `offsets[i + 1]`, already in page order; products
 * and relationship types are codes; relationship ids sit in one UTF-8 pool. The definitions
 * (active when start <= day and the end is NULL or >= day; totals in exact cents) are those of
 * portfolio-queries.ts, held to them by test/memory-answers-match-sql.test.ts.
 */
export class PortfolioIndex {
  readonly #customers = new StringPool(1024);
  #offsets = new Int32Array(1);
  readonly #relationshipIds: StringPool;
  readonly #hasId: Uint8Array;
  readonly #products: Int32Array;
  readonly #types: Int32Array;
  readonly #starts: Int32Array;
  readonly #ends: Int32Array;
  readonly #cents: Float64Array;
  readonly #held: HeldProduct[] = [];
  readonly #categories = new Codes();
  /** Rank of each category code in DuckDB's ascending order. */
  #categoryRank = new Int32Array(0);
  /** Relationship types by their number in {@link TYPE_CODES}. */
  readonly #typeNames: string[] = [];
  /** The customer of the row loaded last, to check the rows arrive in page order. */
  #lastCustomer = -1;

  constructor(
    relationships: number,
    idBytes = 1024,
    /** Whether its holdings were read sorted, their storage order not being the page order. */
    readonly readSorted = false,
  ) {
    this.#relationshipIds = new StringPool(relationships, idBytes);
    this.#hasId = new Uint8Array(relationships);
    this.#products = new Int32Array(relationships);
    this.#types = new Int32Array(relationships);
    this.#starts = new Int32Array(relationships);
    this.#ends = new Int32Array(relationships);
    this.#cents = new Float64Array(relationships);
  }

  /** The bytes its arrays hold (strings of the few distinct values estimated). */
  get bytes(): number {
    const pools = [this.#customers, this.#relationshipIds, this.#categories];
    const arrays = [this.#offsets, this.#hasId, this.#products, this.#types, this.#starts];
    const estimated = this.#typeNames.length * 64 + this.#held.length * 160;
    return bytesHeld([...pools, ...arrays, this.#ends, this.#cents]) + estimated;
  }

  /**
   * The holdings' columns, never written once sealed: the customer index sums a customer's rows
   * from them instead of holding a second copy of ten million relationships.
   */
  get columns(): HoldingColumns {
    return {
      offsets: this.#offsets,
      products: this.#products,
      starts: this.#starts,
      ends: this.#ends,
      cents: this.#cents,
      hasId: this.#hasId,
      productCount: this.#held.length,
    };
  }

  /** The id of product code `code` of {@link columns} (the holders index maps codes to its own). */
  productIdOf(code: number): string {
    return this.#held[code]?.productId ?? "";
  }

  /** The customer's position in id order (its holdings' group), or -1 when unknown. */
  ordinalOf(customerId: string): number {
    return this.#customers.indexOf(customerId);
  }

  /** How many customers are held. */
  get customerCount(): number {
    return this.#customers.size;
  }

  /** Whether the snapshot has a customer with this id (GetCustomerPortfolio's NOT_FOUND). */
  has(customerId: string): boolean {
    return this.#customers.indexOf(customerId) >= 0;
  }

  /**
   * Up to `pageSize` holdings of the customer after `after`, as the HOLDINGS statement selects
   * them on `day` (only the active ones with `activeOnly`).
   */
  page(
    customerId: string,
    day: number,
    activeOnly: boolean,
    after: PortfolioKey | undefined,
    pageSize: number,
  ): PortfolioPage {
    const [from, to] = this.#range(customerId);
    const afterId =
      after === undefined || after.relationshipId === null ? undefined : utf8(after.relationshipId);
    const holdings: HoldingRow[] = [];
    let last: readonly [string, string] | undefined;
    for (let k = from; k < to; k++) {
      const start = this.#starts[k] ?? NO_START;
      const active = activeOn(start, this.#ends[k] ?? OPEN_END, day);
      if (activeOnly && !active) continue;
      const sortDay = sortDayOf(start);
      if (after !== undefined) {
        const sameDayLater =
          afterId !== undefined &&
          sortDay === after.day &&
          this.#hasId[k] === 1 &&
          this.#relationshipIds.compare(k, afterId) > 0;
        if (!(sortDay < after.day || sameDayLater)) continue;
      }
      if (holdings.length === pageSize) return { holdings, more: true, last };
      holdings.push(this.#holding(k, active));
      last = [dayText(sortDay), this.#relationshipId(k)];
    }
    return { holdings, more: false, last };
  }

  /** The totals per category (in the TOTALS statement's order) and overall on `day`. */
  totals(
    customerId: string,
    day: number,
  ): { categoryTotals: PortfolioTotalRow[]; totals: PortfolioTotalRow } {
    const [from, to] = this.#range(customerId);
    const byCategory = new Map<number, Sums>();
    const all = newSums();
    for (let k = from; k < to; k++) {
      const category = this.#held[this.#products[k] ?? -1]?.category ?? -1;
      let sums = byCategory.get(category);
      if (sums === undefined) {
        sums = newSums();
        byCategory.set(category, sums);
      }
      const active = activeOn(this.#starts[k] ?? NO_START, this.#ends[k] ?? OPEN_END, day);
      const cents = this.#cents[k] ?? Number.NaN;
      addTo(sums, active, cents);
      addTo(all, active, cents);
    }
    const ordered = [...byCategory].sort(
      ([a, x], [b, y]) =>
        (y.total > x.total ? 1 : y.total < x.total ? -1 : 0) || this.#categoryOrder(a, b),
    );
    return {
      categoryTotals: ordered.map(([code, sums]) =>
        totalRow(this.#categories.value(code) ?? "", sums),
      ),
      totals: totalRow("", all),
    };
  }

  /** Stores a chunk of {@link CUSTOMER_IDS_SQL} (loading). */
  addCustomers(columns: readonly ScanColumn[], rows: number): void {
    const [ids = []] = columns;
    for (let r = 0; r < rows; r++) this.#customers.push(String(ids[r]));
  }

  /** Stores a chunk of {@link HOLDINGS_SQL} from row `first` on (loading, in its order). */
  addHoldings(
    first: number,
    columns: readonly ScanColumn[],
    rows: number,
    utf8: readonly (Utf8Column | undefined)[],
  ): void {
    if (this.#offsets.length !== this.#customers.size + 1) {
      this.#offsets = new Int32Array(this.#customers.size + 1);
    }
    const [customers = [], , held = [], types = [], starts = [], ends = [], cents = []] = columns;
    const ids = utf8[1];
    if (ids === undefined) throw new Error("the relationship ids were not scanned as UTF-8");
    for (let r = 0; r < rows; r++) {
      const k = first + r;
      const customer = Number(customers[r]);
      this.#relationshipIds.pushUtf8(ids, r);
      this.#hasId[k] = ids.isNull(r) ? 0 : 1;
      this.#products[k] = Number(held[r]);
      this.#types[k] = Number(types[r]);
      this.#starts[k] = scannedDay(starts[r], NO_START);
      this.#ends[k] = scannedDay(ends[r], OPEN_END);
      this.#cents[k] = Number(cents[r]);
      this.#offsets[customer + 1] = k + 1;
      if (!this.#follows(k, customer)) throw new OutOfPageOrder();
      this.#lastCustomer = customer;
    }
  }

  /** Stores a chunk of {@link HELD_SQL} (loading, before the holdings). */
  addHeld(columns: readonly ScanColumn[], rows: number): void {
    const [, ids = [], names = [], categories = []] = columns;
    for (let r = 0; r < rows; r++) {
      const category = scannedText(categories[r]);
      this.#held.push({
        productId: scannedText(ids[r]) ?? "",
        productName: scannedText(names[r]) ?? "",
        productCategory: category ?? "",
        category: this.#categories.code(category),
      });
    }
  }

  /** Stores a chunk of {@link TYPES_SQL} (loading, before the holdings). */
  addTypes(columns: readonly ScanColumn[], rows: number): void {
    const [, types = []] = columns;
    for (let r = 0; r < rows; r++) this.#typeNames.push(scannedText(types[r]) ?? "");
  }

  /** Completes the offsets and the category order (called once, after loading). */
  seal(): void {
    this.#offsets = sealedOffsets(this.#offsets, this.#customers.size);
    this.#customers.seal();
    this.#relationshipIds.seal();
    const values = this.#categories.values;
    const order = values.map((_, code) => code);
    order.sort((a, b) => Buffer.compare(utf8(values[a] ?? ""), utf8(values[b] ?? "")));
    this.#categoryRank = new Int32Array(values.length);
    order.forEach((code, rank) => {
      this.#categoryRank[code] = rank;
    });
  }

  /** Whether row `k`, of customer `customer`, may follow row `k - 1` in the page order. */
  #follows(k: number, customer: number): boolean {
    if (k === 0 || customer > this.#lastCustomer) return true;
    if (customer < this.#lastCustomer) return false;
    const day = sortDayOf(this.#starts[k] ?? NO_START);
    const before = sortDayOf(this.#starts[k - 1] ?? NO_START);
    if (day !== before) return day < before;
    if (this.#hasId[k - 1] === 0) return this.#hasId[k] === 0;
    return this.#hasId[k] === 0 || this.#relationshipIds.compareAt(k - 1, k) <= 0;
  }

  #range(customerId: string): [number, number] {
    const i = this.#customers.indexOf(customerId);
    if (i < 0) return [0, 0];
    return [this.#offsets[i] ?? 0, this.#offsets[i + 1] ?? 0];
  }

  /** Ascending category, NULL last (the statement's `product_category NULLS LAST`). */
  #categoryOrder(a: number, b: number): number {
    if (a < 0 || b < 0) return (a < 0 ? 1 : 0) - (b < 0 ? 1 : 0);
    return (this.#categoryRank[a] ?? 0) - (this.#categoryRank[b] ?? 0);
  }

  #relationshipId(k: number): string {
    return this.#hasId[k] === 1 ? this.#relationshipIds.get(k) : "";
  }

  #holding(k: number, active: boolean): HoldingRow {
    const product = this.#held[this.#products[k] ?? -1];
    return {
      relationshipId: this.#relationshipId(k),
      productId: product?.productId ?? "",
      productName: product?.productName ?? "",
      productCategory: product?.productCategory ?? "",
      relationshipType: this.#typeNames[this.#types[k] ?? -1] ?? "",
      startDate: dayText(this.#starts[k] ?? NO_START),
      endDate: dayText(this.#ends[k] ?? OPEN_END),
      value: centsText(this.#cents[k] ?? Number.NaN),
      active,
    };
  }
}

/** The day a holding sorts by: its start, a missing one as 0001-01-01. */
function sortDayOf(start: number): number {
  return start === NO_START ? FIRST_DAY : start;
}

/** Rows read in storage order that are not in page order: the load sorts them instead. */
class OutOfPageOrder extends Error {
  constructor() {
    super("the holdings are not stored in page order");
  }
}

/** Running sums of one totals row, exact in cents. */
interface Sums {
  holdings: number;
  activeHoldings: number;
  total: bigint;
  active: bigint;
}

function newSums(): Sums {
  return { holdings: 0, activeHoldings: 0, total: 0n, active: 0n };
}

function addTo(sums: Sums, active: boolean, cents: number): void {
  sums.holdings++;
  if (active) sums.activeHoldings++;
  if (Number.isNaN(cents)) return;
  const exact = BigInt(cents);
  sums.total += exact;
  if (active) sums.active += exact;
}

function totalRow(productCategory: string, sums: Sums): PortfolioTotalRow {
  return {
    productCategory,
    holdings: sums.holdings,
    activeHoldings: sums.activeHoldings,
    totalValue: decimalText(sums.total),
    activeValue: decimalText(sums.active),
  };
}

/**
 * Loads the {@link PortfolioIndex} of a snapshot in four scans, in the background: the holdings
 * in storage order, or sorted when that is not the page order. Throws when a date cannot be
 * printed as DuckDB would, so such a snapshot keeps answering by SQL.
 */
export async function loadPortfolioIndex(
  db: SnapshotReader,
  stopped: () => boolean,
): Promise<PortfolioIndex> {
  await refuseAny(db, DUPLICATE_PRODUCTS_SQL, "some product ids appear twice in products");
  const [count = { n: 0, id_bytes: 0 }] = await db.all(COUNT_HOLDINGS_SQL);
  const size = { rows: Number(count.n), idBytes: Number(count.id_bytes) };
  try {
    return await loadFrom(db, stopped, size, HOLDINGS_SQL);
  } catch (error) {
    if (!(error instanceof OutOfPageOrder)) throw error;
    return loadFrom(db, stopped, size, SORTED_HOLDINGS_SQL);
  }
}

/** One load of the index with its holdings read by `holdings`. */
function loadFrom(
  db: SnapshotReader,
  stopped: () => boolean,
  size: { rows: number; idBytes: number },
  holdings: string,
): Promise<PortfolioIndex> {
  const index = new PortfolioIndex(size.rows, size.idBytes, holdings === SORTED_HOLDINGS_SQL);
  return loadSealed(db, stopped, index, [
    { sql: CUSTOMER_IDS_SQL, take: (columns, rows) => index.addCustomers(columns, rows) },
    { sql: HELD_SQL, take: (columns, rows) => index.addHeld(columns, rows) },
    { sql: TYPES_SQL, take: (columns, rows) => index.addTypes(columns, rows) },
    {
      sql: holdings,
      params: [NO_START, OPEN_END],
      utf8Columns: [1],
      take: (columns, rows, offset, utf8) => index.addHoldings(offset, columns, rows, utf8),
    },
  ]);
}

/** The in-memory portfolios, built once per snapshot (see {@link PortfolioIndex}). */
export const PORTFOLIO_INDEX: MemoKey<PortfolioIndex> = {
  name: "portfolio index",
  build: loadPortfolioIndex,
};

import { camelCase, columnsOf, primaryKeyOf, selectList } from "../schema/schema-sql.js";
import type { MemoKey } from "../snapshot/snapshot-memo.js";
import type { ScanValue, SnapshotReader } from "../snapshot/snapshot-reader.js";
import type { CustomerDetail } from "./customer-queries.js";
import { bytesHeld } from "./memory/bytes-held.js";
import {
  dayOf,
  dayText,
  decimalText,
  FIRST_DAY,
  LAST_DAY,
  NO_START,
  OPEN_END,
} from "./memory/cells.js";
import { fillOffsetGaps } from "./memory/group-offsets.js";
import { countOf, loadSealed } from "./memory/scan-passes.js";
import type { CustomerRow, CustomerSummaryRow } from "./rows.js";

/**
 * The customers' columns other than the id, from the schema module, in {@link CUSTOMERS_SQL}
 * order after the id: each with its camelCased field and whether it has few distinct values.
 */
const CUSTOMER_FIELDS = columnsOf("customers")
  .filter((c) => c.name !== primaryKeyOf("customers"))
  .map((c) => ({ field: camelCase(c.name), few: c.fewValues === true }));

/** The customers, in id order (their position is their ordinal in the relationships). */
const CUSTOMERS_SQL = `SELECT ${selectList("customers", "c", { datesAsText: true })}
  FROM customers c WHERE c.customer_id IS NOT NULL ORDER BY c.customer_id`;

const COUNT_RELATIONSHIPS_SQL = `SELECT count(*)::BIGINT AS n FROM customer_products r
  WHERE r.customer_id IN (SELECT customer_id FROM customers)`;

/**
 * Every relationship of a known customer, grouped by customer (in the order of
 * {@link CUSTOMERS_SQL}) and by product within a customer: the product is an ordinal (-1 for a
 * NULL product_id), dates are days since 1970-01-01 with sentinels for NULL, money is in cents
 * (NaN for NULL). Exact: DECIMAL(15,2) in cents stays below 2^53.
 */
const RELATIONSHIPS_SQL = `WITH c AS (
    SELECT customer_id, (row_number() OVER (ORDER BY customer_id) - 1)::INTEGER AS ordinal
    FROM customers WHERE customer_id IS NOT NULL),
  p AS (
    SELECT product_id, (row_number() OVER (ORDER BY product_id))::INTEGER AS ordinal
    FROM (SELECT DISTINCT product_id FROM customer_products WHERE product_id IS NOT NULL))
  SELECT c.ordinal AS customer, coalesce(p.ordinal, -1) AS product,
    coalesce((r.start_date - DATE '1970-01-01')::INTEGER, ?) AS start_day,
    coalesce((r.end_date - DATE '1970-01-01')::INTEGER, ?) AS end_day,
    coalesce((r."value" * 100)::DOUBLE, 'NaN'::DOUBLE) AS cents,
    r.relationship_id IS NOT NULL AS has_id
  FROM customer_products r JOIN c ON c.customer_id = r.customer_id
    LEFT JOIN p ON p.product_id = r.product_id
  ORDER BY c.ordinal, p.ordinal NULLS LAST`;

/** A text column of the index: one value per customer. */
interface TextColumn {
  set(row: number, value: string): void;
  get(row: number): string;
}

/** A column of mostly distinct strings (names), one string per row. */
class Strings implements TextColumn {
  readonly #values: string[];

  constructor(size: number) {
    this.#values = new Array<string>(size);
  }

  set(row: number, value: string): void {
    this.#values[row] = value;
  }

  get(row: number): string {
    return this.#values[row] ?? "";
  }
}

/** A column of few distinct strings, stored as codes. */
class Dictionary implements TextColumn {
  readonly codes: Int32Array;
  readonly #values: string[] = [];
  readonly #codeOf = new Map<string, number>();

  constructor(size: number) {
    this.codes = new Int32Array(size);
  }

  set(row: number, value: string): void {
    let code = this.#codeOf.get(value);
    if (code === undefined) {
      code = this.#values.push(value) - 1;
      this.#codeOf.set(value, code);
    }
    this.codes[row] = code;
  }

  get(row: number): string {
    return this.#values[this.codes[row] ?? -1] ?? "";
  }
}

/**
 * Every customer and every relationship of the snapshot held in memory, in typed arrays, so
 * GetCustomer and BatchGetCustomers are answered without a query: DuckDB spends 10–17 ms of CPU
 * on one lookup at a million customers (docs/performance.md), which caps two cores at a few
 * hundred lookups a second. The summary is computed per call for any as-of day, with the same
 * definitions as the SQL in customer-queries.ts (test/customer-index-matches-sql.test.ts holds
 * them to it): a product is active when one of its relationships has started and not ended.
 */
export class CustomerIndex {
  readonly #ordinal = new Map<string, number>();
  /** One column per {@link CUSTOMER_FIELDS} entry, in that order. */
  readonly #columns: readonly TextColumn[];
  /** Relationships of customer `i` are rows `offsets[i]` to `offsets[i + 1]`. */
  readonly #offsets: Int32Array;
  readonly #products: Int32Array;
  readonly #starts: Int32Array;
  readonly #ends: Int32Array;
  readonly #cents: Float64Array;
  readonly #hasId: Uint8Array;

  constructor(customers: number, relationships: number) {
    this.#columns = CUSTOMER_FIELDS.map((f) =>
      f.few ? new Dictionary(customers) : new Strings(customers),
    );
    this.#offsets = new Int32Array(customers + 1);
    this.#products = new Int32Array(relationships);
    this.#starts = new Int32Array(relationships);
    this.#ends = new Int32Array(relationships);
    this.#cents = new Float64Array(relationships);
    this.#hasId = new Uint8Array(relationships);
  }

  /**
   * About the bytes it holds (for GetSyncStatus): its typed arrays, plus an estimate of 64 bytes
   * for each id in the lookup map and each name string.
   */
  get bytes(): number {
    const arrays = [
      this.#offsets,
      this.#products,
      this.#starts,
      this.#ends,
      this.#cents,
      this.#hasId,
    ];
    return bytesHeld(arrays) + this.#ordinal.size * 128;
  }

  /** How many customers are held. */
  get size(): number {
    return this.#ordinal.size;
  }

  /** Whether the snapshot has a customer with this id. */
  has(customerId: string): boolean {
    return this.#ordinal.has(customerId);
  }

  /** The customer and the summary of their holdings as of `asOf` (`YYYY-MM-DD`), if known. */
  detail(customerId: string, asOf: string): CustomerDetail | undefined {
    const i = this.#ordinal.get(customerId);
    if (i === undefined) return undefined;
    return { customer: this.#customer(i, customerId), summary: this.#summary(i, asOf) };
  }

  /** Stores a chunk of {@link CUSTOMERS_SQL} from customer `first` on (loading, in id order). */
  addCustomers(first: number, columns: readonly (readonly ScanValue[])[], rows: number): void {
    const [ids = [], ...fields] = columns;
    for (let r = 0; r < rows; r++) this.#ordinal.set(String(ids[r]), first + r);
    this.#columns.forEach((column, c) => {
      const values = fields[c] ?? [];
      for (let r = 0; r < rows; r++) column.set(first + r, text(values[r]));
    });
  }

  /**
   * Stores a chunk of {@link RELATIONSHIPS_SQL} from relationship `first` on (loading, in
   * customer order).
   */
  addRelationships(first: number, columns: readonly (readonly ScanValue[])[], rows: number): void {
    const [customers = [], products = [], starts = [], ends = [], cents = [], hasIds = []] =
      columns;
    for (let r = 0; r < rows; r++) {
      const k = first + r;
      const start = Number(starts[r]);
      const end = Number(ends[r]);
      if (outOfRange(start, NO_START) || outOfRange(end, OPEN_END)) {
        throw new Error("a relationship date lies outside 0001-01-01 to 9999-12-31");
      }
      this.#products[k] = Number(products[r]);
      this.#starts[k] = start;
      this.#ends[k] = end;
      this.#cents[k] = Number(cents[r]);
      this.#hasId[k] = hasIds[r] === true ? 1 : 0;
      this.#offsets[Number(customers[r]) + 1] = k + 1;
    }
  }

  /** Fills the offsets of customers without relationships (called once, after loading). */
  seal(): void {
    fillOffsetGaps(this.#offsets);
  }

  #customer(i: number, customerId: string): CustomerRow {
    const row: Record<string, string> = { customerId };
    this.#columns.forEach((column, c) => {
      const field = CUSTOMER_FIELDS[c]?.field;
      if (field !== undefined) row[field] = column.get(i);
    });
    return row as CustomerRow;
  }

  #summary(i: number, asOf: string): CustomerSummaryRow {
    const day = dayOf(asOf);
    const from = this.#offsets[i] ?? 0;
    const to = this.#offsets[i + 1] ?? from;
    let activeProducts = 0;
    let totalProducts = 0;
    let relationships = 0;
    let cents = 0;
    let exact = true;
    let first = OPEN_END;
    let last = NO_START;
    let product = Number.NaN;
    let productActive = false;
    for (let k = from; k < to; k++) {
      const next = this.#products[k] ?? -1;
      if (next !== product) {
        if (product >= 0) {
          totalProducts++;
          if (productActive) activeProducts++;
        }
        product = next;
        productActive = false;
      }
      relationships += this.#hasId[k] ?? 0;
      const value = this.#cents[k] ?? Number.NaN;
      if (!Number.isNaN(value)) {
        cents += value;
        if (Math.abs(cents) > Number.MAX_SAFE_INTEGER) exact = false;
      }
      const start = this.#starts[k] ?? NO_START;
      if (start === NO_START) continue;
      if (start < first) first = start;
      if (start > last) last = start;
      if (start <= day && (this.#ends[k] ?? OPEN_END) >= day) productActive = true;
    }
    if (product >= 0) {
      totalProducts++;
      if (productActive) activeProducts++;
    }
    return {
      activeProducts,
      totalProducts,
      relationships,
      totalValue: exact ? decimalText(BigInt(cents)) : this.#exactTotal(from, to),
      firstStartDate: first === OPEN_END ? "" : dayText(first),
      lastStartDate: last === NO_START ? "" : dayText(last),
      asOf,
    };
  }

  /** The total in exact integer arithmetic, for sums past 2^53 cents. */
  #exactTotal(from: number, to: number): string {
    let cents = 0n;
    for (let k = from; k < to; k++) {
      const value = this.#cents[k] ?? Number.NaN;
      if (!Number.isNaN(value)) cents += BigInt(value);
    }
    return decimalText(cents);
  }
}

/**
 * Loads the {@link CustomerIndex} of a snapshot: two scans (a million customers and ten million
 * relationships take seconds, in the background). Throws when a date cannot be formatted as
 * DuckDB would, so such a snapshot keeps answering by SQL.
 */
export async function loadCustomerIndex(
  db: SnapshotReader,
  stopped: () => boolean,
): Promise<CustomerIndex> {
  const customers = await countOf(db, `SELECT count(*)::BIGINT AS n FROM (${CUSTOMERS_SQL})`);
  const index = new CustomerIndex(customers, await countOf(db, COUNT_RELATIONSHIPS_SQL));
  return loadSealed(db, stopped, index, [
    {
      sql: CUSTOMERS_SQL,
      take: (columns, rows, offset) => index.addCustomers(offset, columns, rows),
    },
    {
      sql: RELATIONSHIPS_SQL,
      params: [NO_START, OPEN_END],
      take: (columns, rows, offset) => index.addRelationships(offset, columns, rows),
    },
  ]);
}

/** The in-memory customer index, built once per snapshot (see {@link CustomerIndex}). */
export const CUSTOMER_INDEX: MemoKey<CustomerIndex> = {
  name: "customer index",
  build: loadCustomerIndex,
};

function text(value: ScanValue | undefined): string {
  return value === null || value === undefined ? "" : String(value);
}

function outOfRange(day: number, sentinel: number): boolean {
  return day !== sentinel && (day < FIRST_DAY || day > LAST_DAY);
}

import type { MemoKey } from "../../snapshot/snapshot-memo.js";
import type { ScanColumn, SnapshotReader } from "../../snapshot/snapshot-reader.js";
import type { Utf8Column } from "../../snapshot/utf8-column.js";
import type { CustomerRow } from "../rows.js";
import { scannedText } from "./cells.js";
import { CUSTOMERS_SQL, DICTIONARY_SQL, FIELDS, NULL_IDS_SQL } from "./customer-list-sql.js";
import { loadSealed, refuseAny } from "./scan-passes.js";
import { Codes, StringPool, utf8 } from "./string-pool.js";

/**
 * The pooled columns read as bytes: all but the name, whose lower case is stored too (a
 * million customers' ids and dates are then never JavaScript strings while loading).
 */
const STORED_AS_BYTES = FIELDS.flatMap((f, c) => (f.few || f.name === "customer_name" ? [] : [c]));

/** One stored customers column. */
type Column =
  | { readonly kind: "codes"; readonly codes: Codes; ids: Int32Array }
  | {
      readonly kind: "pool";
      readonly pool: StringPool;
      nulls: Uint8Array;
    };

/** ListCustomers' filters with their values ("" or null: no filter). */
export interface CustomerFilters {
  readonly region: string | null;
  readonly customerType: string | null;
  readonly status: string | null;
  readonly registeredFrom: string | null;
  readonly registeredTo: string | null;
  readonly nameContains: string | null;
  readonly segment: string | null;
}

/**
 * Every customer in id order with its columns and RFM segment, so ListCustomers runs no
 * statement: the equality filters become sets of codes (compared ignoring case, as the SQL's
 * `lower(x) = lower(?)`), the keyset a binary search by UTF-8 bytes (DuckDB's VARCHAR order).
 * Definitions as in customer-queries.ts, held to them by test/memory-answers-match-sql.test.ts.
 */
export class CustomerListIndex {
  readonly #columns: Column[] = FIELDS.map((f) =>
    f.few
      ? { kind: "codes", codes: new Codes(), ids: new Int32Array(1024) }
      : { kind: "pool", pool: new StringPool(1024), nulls: new Uint8Array(1024) },
  );
  readonly #segments = new Codes();
  #segment = new Int32Array(1024);
  #size = 0;
  readonly #lowerNames: StringPool = new StringPool(1024);

  /** The bytes its arrays hold. */
  get bytes(): number {
    let bytes = this.#segment.byteLength + this.#lowerNames.bytes;
    for (const c of this.#columns) {
      bytes +=
        c.kind === "codes" ? c.ids.byteLength + c.codes.bytes : c.pool.bytes + c.nulls.byteLength;
    }
    return bytes;
  }

  /** How many customers are held. */
  get size(): number {
    return this.#size;
  }

  /** The position of the customer with this id in id order, or -1 (the customer index's lookup). */
  indexOf(customerId: string): number {
    const ids = this.#column("customer_id");
    return ids.kind === "pool" ? ids.pool.indexOf(customerId) : -1;
  }

  /**
   * Column `name` of the customer at a position (null for NULL), the column found once: the
   * holders index reads names and regions from here for every holder it returns.
   */
  reader(name: string): (i: number) => string | null {
    const column = this.#column(name);
    return (i) => this.#text(column, i);
  }

  /** The first position whose id is above `customerId` (where a page after it starts). */
  above(customerId: string): number {
    const ids = this.#column("customer_id");
    return ids.kind === "pool" ? ids.pool.lowerBound(utf8(customerId), 0, this.#size, true) : 0;
  }

  /** The customer at position `i` as GetCustomer and ListCustomers return it. */
  row(i: number): CustomerRow {
    const row: Record<string, string> = {};
    this.#columns.forEach((column, c) => {
      const field = FIELDS[c]?.field;
      if (field !== undefined) row[field] = this.#text(column, i) ?? "";
    });
    return row as CustomerRow;
  }

  /** Up to `pageSize` customers matching `filters` with an id above `after`, in id order. */
  page(
    filters: CustomerFilters,
    after: string | null,
    pageSize: number,
  ): { customers: CustomerRow[]; more: boolean } {
    const ids = this.#column("customer_id");
    if (ids.kind !== "pool") return { customers: [], more: false };
    const tests: ((i: number) => boolean)[] = [];
    for (const [column, value] of [
      ["region", filters.region],
      ["customer_type", filters.customerType],
      ["status", filters.status],
    ] as const) {
      if (value !== null) tests.push(this.#equalsIgnoringCase(column, value));
    }
    const registered = this.#column("registration_date");
    const from = filters.registeredFrom;
    const to = filters.registeredTo;
    if (from !== null || to !== null) {
      tests.push((i) => {
        const day = this.#text(registered, i);
        return day !== null && (from === null || day >= from) && (to === null || day <= to);
      });
    }
    if (filters.nameContains !== null) {
      const part = filters.nameContains.toLowerCase();
      tests.push((i) => this.#lowerNames.get(i).includes(part) && this.#hasName(i));
    }
    if (filters.segment !== null) {
      const code = this.#segments.values.indexOf(filters.segment);
      tests.push((i) => code >= 0 && this.#segment[i] === code);
    }
    const start = after === null ? 0 : this.above(after);
    const customers: CustomerRow[] = [];
    for (let i = start; i < this.#size; i++) {
      if (!passes(tests, i)) continue;
      if (customers.length === pageSize) return { customers, more: true };
      customers.push(this.row(i));
    }
    return { customers, more: false };
  }

  /** Stores a chunk of {@link CUSTOMERS_SQL} (loading, in id order). */
  add(
    columns: readonly ScanColumn[],
    rows: number,
    utf8: readonly (Utf8Column | undefined)[],
  ): void {
    const segments = columns[FIELDS.length] ?? [];
    const names = columns[FIELDS.findIndex((f) => f.name === "customer_name")] ?? [];
    for (let r = 0; r < rows; r++) {
      const i = this.#size++;
      this.#grow(i);
      for (let c = 0; c < this.#columns.length; c++) {
        const column = this.#columns[c];
        const bytes = utf8[c];
        if (column === undefined) continue;
        if (column.kind === "codes") {
          column.ids[i] = Number(columns[c]?.[r] ?? -1);
        } else if (bytes !== undefined) {
          column.pool.pushUtf8(bytes, r);
          column.nulls[i] = bytes.isNull(r) ? 1 : 0;
        } else {
          const value = scannedText(columns[c]?.[r]);
          column.pool.push(value ?? "");
          column.nulls[i] = value === null ? 1 : 0;
        }
      }
      this.#lowerNames.push((scannedText(names[r]) ?? "").toLowerCase());
      this.#segment[i] = Number(segments[r] ?? -1);
    }
  }

  /**
   * Stores a chunk of dictionary `d` of {@link DICTIONARY_SQL} (loading, before the customers):
   * the few-valued columns' in order, then the segments'. Values arrive in code order, so each
   * value's code is its position.
   */
  addDictionary(d: number, columns: readonly ScanColumn[], rows: number): void {
    const few = this.#columns.filter((column) => column.kind === "codes");
    const codes = d < few.length ? few[d]?.codes : this.#segments;
    const [values = []] = columns;
    for (let r = 0; r < rows; r++) codes?.code(scannedText(values[r]));
  }

  /** Releases the spare capacity (called once, after loading). */
  seal(): void {
    for (const column of this.#columns) {
      if (column.kind === "pool") column.pool.seal();
    }
    this.#lowerNames.seal();
  }

  #grow(i: number): void {
    if (i < this.#segment.length) return;
    const size = this.#segment.length * 2;
    const segment = new Int32Array(size);
    segment.set(this.#segment);
    this.#segment = segment;
    for (const column of this.#columns) {
      if (column.kind === "codes") {
        const ids = new Int32Array(size);
        ids.set(column.ids);
        column.ids = ids;
      } else {
        const nulls = new Uint8Array(size);
        nulls.set(column.nulls);
        column.nulls = nulls;
      }
    }
  }

  #column(name: string): Column {
    const column = this.#columns[FIELDS.findIndex((f) => f.name === name)];
    if (column === undefined) throw new Error(`customers has no column ${name}`);
    return column;
  }

  #text(column: Column, i: number): string | null {
    if (column.kind === "codes") return column.codes.value(column.ids[i] ?? -1);
    return column.nulls[i] === 1 ? null : column.pool.get(i);
  }

  #hasName(i: number): boolean {
    return this.#text(this.#column("customer_name"), i) !== null;
  }

  /** A test for `lower(column) = lower(value)`. */
  #equalsIgnoringCase(name: string, value: string): (i: number) => boolean {
    const column = this.#column(name);
    const wanted = value.toLowerCase();
    if (column.kind === "codes") {
      const matches = new Uint8Array(column.codes.values.length + 1);
      column.codes.values.forEach((v, code) => {
        if (v !== null && v.toLowerCase() === wanted) matches[code] = 1;
      });
      const ids = column.ids;
      return (i) => matches[ids[i] ?? -1] === 1;
    }
    return (i) => column.nulls[i] !== 1 && column.pool.get(i).toLowerCase() === wanted;
  }
}

/**
 * Loads the {@link CustomerListIndex} of a snapshot in one scan, in the background. Refuses a
 * snapshot with customers lacking an id (SQL keeps answering it).
 */
export async function loadCustomerListIndex(
  db: SnapshotReader,
  stopped: () => boolean,
): Promise<CustomerListIndex> {
  await refuseAny(db, NULL_IDS_SQL, "some customers have no customer_id");
  const index = new CustomerListIndex();
  return loadSealed(db, stopped, index, [
    ...DICTIONARY_SQL.map((sql, d) => ({
      sql,
      take: (columns: readonly ScanColumn[], rows: number) => index.addDictionary(d, columns, rows),
    })),
    {
      sql: CUSTOMERS_SQL,
      utf8Columns: STORED_AS_BYTES,
      take: (columns, rows, _, utf8) => index.add(columns, rows, utf8),
    },
  ]);
}

/** The in-memory customer list, built once per snapshot (see {@link CustomerListIndex}). */
export const CUSTOMER_LIST_INDEX: MemoKey<CustomerListIndex> = {
  name: "customer list index",
  build: loadCustomerListIndex,
};

/**
 * Whether customer `i` passes every filter: a plain loop, since a page may test thousands of
 * customers and a callback per customer (`every`) costs more than the tests themselves.
 */
function passes(tests: readonly ((i: number) => boolean)[], i: number): boolean {
  for (const test of tests) if (!test(i)) return false;
  return true;
}

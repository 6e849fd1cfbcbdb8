import type { MemoKey } from "../../snapshot/snapshot-memo.js";
import type { ScanColumn, SnapshotReader } from "../../snapshot/snapshot-reader.js";
import type { SqlRow } from "../../snapshot/sql-runner.js";
import type { Utf8Column } from "../../snapshot/utf8-column.js";
import { daySql, dayText, NO_START, scannedDay, scannedText } from "./cells.js";
import { loadSealed } from "./scan-passes.js";
import { Codes, StringPool } from "./string-pool.js";

/**
 * Every id GetCustomerSegment knows at the snapshot's reference date (a customer, or a row of
 * `customer_rfm`), in id order, with its precomputed RFM row when it has one. Numbers arrive
 * as DOUBLE (NULL as NaN), scores as INTEGER (NULL as -1), monetary as its exact text.
 */
const RFM_SQL = `SELECT k.customer_id::VARCHAR AS customer_id, r.customer_id IS NOT NULL AS has_row,
    ${daySql("r.last_start_date")} AS last_day,
    coalesce(r.recency::DOUBLE, 'NaN'::DOUBLE) AS recency,
    coalesce(r.frequency::DOUBLE, 'NaN'::DOUBLE) AS frequency,
    r.monetary::VARCHAR AS monetary,
    coalesce(r.r_score, -1)::INTEGER AS r_score, coalesce(r.f_score, -1)::INTEGER AS f_score,
    coalesce(r.m_score, -1)::INTEGER AS m_score, r.segment::VARCHAR AS segment
  FROM (SELECT customer_id FROM customers WHERE customer_id IS NOT NULL
        UNION SELECT customer_id FROM customer_rfm WHERE customer_id IS NOT NULL) k
    LEFT JOIN customer_rfm r ON r.customer_id = k.customer_id
  ORDER BY k.customer_id`;

/**
 * The precomputed RFM row of every customer in typed arrays, so GetCustomerSegment at the
 * reference date and ListCustomers' segment filter run no statement. {@link RfmIndex.row}
 * hands back the row as the PRECOMPUTED_CUSTOMER_RFM statement returns it, so the one mapping
 * in segmentation-queries.ts serves both (test/memory-answers-match-sql.test.ts holds them
 * equal).
 */
export class RfmIndex {
  readonly #ids = new StringPool(1024);
  #hasRow = new Uint8Array(1024);
  #lastDay = new Int32Array(1024);
  #recency = new Float64Array(1024);
  #frequency = new Float64Array(1024);
  readonly #monetary = new StringPool(1024);
  #scores = new Int8Array(3 * 1024);
  #segment = new Int32Array(1024);
  readonly #segments = new Codes();

  /** The bytes its arrays hold. */
  get bytes(): number {
    return (
      this.#ids.bytes +
      this.#monetary.bytes +
      this.#hasRow.byteLength +
      this.#lastDay.byteLength +
      this.#recency.byteLength * 2 +
      this.#scores.byteLength +
      this.#segment.byteLength
    );
  }

  /** The position of a known id, or -1. */
  ordinal(customerId: string): number {
    return this.#ids.indexOf(customerId);
  }

  /**
   * The customer's precomputed row, shaped as the statement's: `null` for a known customer
   * without one, `undefined` for an unknown id.
   */
  row(customerId: string): SqlRow | null | undefined {
    const i = this.#ids.indexOf(customerId);
    if (i < 0) return undefined;
    if (this.#hasRow[i] !== 1) return null;
    const last = this.#lastDay[i] ?? NO_START;
    const score = (s: number) => {
      const value = this.#scores[3 * i + s] ?? -1;
      return value < 0 ? null : value;
    };
    return {
      customer_id: customerId,
      last_start_date: last === NO_START ? null : dayText(last),
      recency: orNull(this.#recency[i]),
      frequency: orNull(this.#frequency[i]),
      monetary: this.#monetary.get(i) || null,
      r_score: score(0),
      f_score: score(1),
      m_score: score(2),
      segment: this.#segments.value(this.#segment[i] ?? -1),
    };
  }

  /** The segment of customer ordinal `i` (null when unscored or without a row). */
  segmentOf(i: number): string | null {
    return this.#segments.value(this.#segment[i] ?? -1);
  }

  /** Stores a chunk of {@link RFM_SQL} (loading, in its order). */
  add(
    columns: readonly ScanColumn[],
    rows: number,
    utf8: readonly (Utf8Column | undefined)[],
  ): void {
    const [, hasRows = [], lastDays = [], recency = [], frequency = []] = columns;
    const [r = [], f = [], m = [], segments = []] = columns.slice(6);
    const [ids, , , , , monetary] = utf8;
    if (ids === undefined || monetary === undefined) {
      throw new Error("the customer ids and monetary values were not scanned as UTF-8");
    }
    for (let k = 0; k < rows; k++) {
      const i = this.#ids.pushUtf8(ids, k);
      this.#monetary.pushUtf8(monetary, k);
      this.#grow(i);
      this.#hasRow[i] = hasRows[k] === true ? 1 : 0;
      this.#lastDay[i] = scannedDay(lastDays[k], NO_START);
      this.#recency[i] = Number(recency[k]);
      this.#frequency[i] = Number(frequency[k]);
      this.#scores[3 * i] = Number(r[k]);
      this.#scores[3 * i + 1] = Number(f[k]);
      this.#scores[3 * i + 2] = Number(m[k]);
      this.#segment[i] = this.#segments.code(scannedText(segments[k]));
    }
  }

  /** Releases the spare capacity (called once, after loading). */
  seal(): void {
    const n = this.#ids.size;
    this.#ids.seal();
    this.#monetary.seal();
    this.#hasRow = this.#hasRow.slice(0, n);
    this.#lastDay = this.#lastDay.slice(0, n);
    this.#recency = this.#recency.slice(0, n);
    this.#frequency = this.#frequency.slice(0, n);
    this.#scores = this.#scores.slice(0, 3 * n);
    this.#segment = this.#segment.slice(0, n);
  }

  #grow(i: number): void {
    if (i < this.#hasRow.length) return;
    const size = this.#hasRow.length * 2;
    this.#hasRow = grown(this.#hasRow, new Uint8Array(size));
    this.#lastDay = grown(this.#lastDay, new Int32Array(size));
    this.#recency = grown(this.#recency, new Float64Array(size));
    this.#frequency = grown(this.#frequency, new Float64Array(size));
    this.#scores = grown(this.#scores, new Int8Array(3 * size));
    this.#segment = grown(this.#segment, new Int32Array(size));
  }
}

function grown<T extends Uint8Array | Int8Array | Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

function orNull(value: number | undefined): number | null {
  return value === undefined || Number.isNaN(value) ? null : value;
}

/** Loads the {@link RfmIndex} of a snapshot in one scan, in the background. */
export async function loadRfmIndex(db: SnapshotReader, stopped: () => boolean): Promise<RfmIndex> {
  const index = new RfmIndex();
  return loadSealed(db, stopped, index, [
    {
      sql: RFM_SQL,
      params: [NO_START],
      utf8Columns: [0, 5],
      take: (columns, rows, _, utf8) => index.add(columns, rows, utf8),
    },
  ]);
}

/** The in-memory RFM rows, built once per snapshot (see {@link RfmIndex}). */
export const RFM_INDEX: MemoKey<RfmIndex> = { name: "rfm index", build: loadRfmIndex };

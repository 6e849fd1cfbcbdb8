import type { Utf8Column } from "../../snapshot/utf8-column.js";

/**
 * Many strings stored once, as UTF-8 in one byte array with their end offsets, instead of one
 * JavaScript string (and its header) each: a million customer ids take their bytes plus four
 * bytes each, not 40–60 bytes each. Comparison is by UTF-8 bytes, which is how DuckDB orders
 * VARCHAR, so a pool filled in `ORDER BY` order can be binary searched with DuckDB's order.
 */
export class StringPool {
  #bytes: Buffer;
  #ends: Uint32Array;
  #used = 0;
  #size = 0;

  /** Sized for `expected` strings of `expectedBytes` UTF-8 bytes in all (it grows past them). */
  constructor(expected = 16, expectedBytes = 1024) {
    this.#ends = new Uint32Array(Math.max(1, expected));
    this.#bytes = Buffer.allocUnsafe(Math.max(16, expectedBytes));
  }

  /** How many strings are held. */
  get size(): number {
    return this.#size;
  }

  /** The bytes held (for the memory report). */
  get bytes(): number {
    return this.#bytes.length + this.#ends.byteLength;
  }

  /** Appends `value`; its index is the previous size. */
  push(value: string): number {
    this.#reserve(Buffer.byteLength(value, "utf8"));
    this.#used += this.#bytes.write(value, this.#used, "utf8");
    return this.#end();
  }

  /** Appends row `r` of a scanned UTF-8 column ("" for NULL), without a string in between. */
  pushUtf8(column: Utf8Column, r: number): number {
    const length = column.byteLength(r);
    this.#reserve(length);
    column.copyTo(r, this.#bytes, this.#used);
    this.#used += length;
    return this.#end();
  }

  /** String `i`. */
  get(i: number): string {
    return this.#bytes.toString("utf8", this.#start(i), this.#ends[i] ?? 0);
  }

  /** Compares string `i` with the UTF-8 bytes `key`, as DuckDB compares VARCHAR. */
  compare(i: number, key: Buffer): number {
    return this.#bytes.compare(key, 0, key.length, this.#start(i), this.#ends[i] ?? 0);
  }

  /** Compares string `i` with string `j` by their UTF-8 bytes. */
  compareAt(i: number, j: number): number {
    return this.#bytes.compare(
      this.#bytes,
      this.#start(j),
      this.#ends[j] ?? 0,
      this.#start(i),
      this.#ends[i] ?? 0,
    );
  }

  /**
   * The first index in [from, to) whose string is not below `key` (with `strictly`, above it),
   * for a range of the pool in ascending order.
   */
  lowerBound(key: Buffer, from = 0, to = this.#size, strictly = false): number {
    let lo = from;
    let hi = to;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compare(mid, key);
      if (c < 0 || (strictly && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The index of `value` in a pool filled in ascending order, or -1. */
  indexOf(value: string): number {
    const key = Buffer.from(value, "utf8");
    const i = this.lowerBound(key);
    return i < this.#size && this.compare(i, key) === 0 ? i : -1;
  }

  /** Releases the spare capacity once filled (copying only when there is some). */
  seal(): void {
    if (this.#used < this.#bytes.length) {
      this.#bytes = Buffer.from(this.#bytes.subarray(0, this.#used));
    }
    if (this.#size < this.#ends.length) this.#ends = this.#ends.slice(0, this.#size);
  }

  /** Makes room for `need` more bytes. */
  #reserve(need: number): void {
    if (this.#used + need <= this.#bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#bytes.length * 2, this.#used + need));
    this.#bytes.copy(grown, 0, 0, this.#used);
    this.#bytes = grown;
  }

  /** Ends the string just written: its end offset; returns its index. */
  #end(): number {
    if (this.#size === this.#ends.length) {
      const grown = new Uint32Array(this.#ends.length * 2);
      grown.set(this.#ends);
      this.#ends = grown;
    }
    this.#ends[this.#size] = this.#used;
    return this.#size++;
  }

  #start(i: number): number {
    return i === 0 ? 0 : (this.#ends[i - 1] ?? 0);
  }
}

/** UTF-8 bytes of a request value, for {@link StringPool.compare}. */
export function utf8(value: string): Buffer {
  return Buffer.from(value, "utf8");
}

/**
 * A column of few distinct values (types, categories, segments) as one code per row; NULL is
 * code -1, distinct from "".
 */
export class Codes {
  readonly values: (string | null)[] = [];
  readonly #codeOf = new Map<string, number>();

  /** The code of `value`, added if new. */
  code(value: string | null): number {
    if (value === null) return -1;
    let code = this.#codeOf.get(value);
    if (code === undefined) {
      code = this.values.push(value) - 1;
      this.#codeOf.set(value, code);
    }
    return code;
  }

  /** The value of `code`; null for -1. */
  value(code: number): string | null {
    return code < 0 ? null : (this.values[code] ?? null);
  }

  /** The approximate bytes of the distinct values. */
  get bytes(): number {
    return this.values.reduce((sum, v) => sum + 32 + (v?.length ?? 0) * 2, 0);
  }
}

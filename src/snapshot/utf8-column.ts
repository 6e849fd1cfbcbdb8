import duckdb from "@duckdb/node-bindings";

/** A DuckDB string (`duckdb_string_t`): 16 bytes, the length first, short ones inline. */
const STRING_BYTES = 16;
/** The longest string stored inline, after its four length bytes; longer ones are pointed to. */
const INLINE_BYTES = 12;

/**
 * A VARCHAR column of a scan's chunk read as its UTF-8 bytes, without a JavaScript string per
 * value: the portfolio's ten million relationship ids were decoded into strings and encoded
 * back into a pool, a quarter of its build. Views DuckDB's own memory, so it is only valid
 * while the chunk's callback runs.
 */
export class Utf8Column {
  readonly #data: Uint8Array;
  readonly #view: DataView;
  readonly #validity: Uint8Array | null;

  constructor(data: Uint8Array, validity: Uint8Array | null) {
    this.#data = data;
    this.#view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.#validity = validity;
  }

  /** Whether row `r` is NULL. */
  isNull(r: number): boolean {
    const mask = this.#validity;
    return mask !== null && ((mask[r >> 3] ?? 0) & (1 << (r & 7))) === 0;
  }

  /** The byte length of row `r` (0 for NULL). */
  byteLength(r: number): number {
    return this.isNull(r) ? 0 : this.#view.getUint32(r * STRING_BYTES, true);
  }

  /** Copies the bytes of row `r` into `target` from `at` on (nothing for NULL). */
  copyTo(r: number, target: Uint8Array, at: number): void {
    const length = this.byteLength(r);
    const offset = r * STRING_BYTES;
    if (length <= INLINE_BYTES) {
      const from = offset + 4;
      for (let i = 0; i < length; i++) target[at + i] = this.#data[from + i] ?? 0;
      return;
    }
    const { buffer, byteOffset } = this.#data;
    target.set(
      duckdb.get_data_from_pointer(buffer as ArrayBuffer, byteOffset + offset + 8, length),
      at,
    );
  }
}

/** The {@link Utf8Column} of a chunk's vector of `rows` strings. */
export function utf8Column(vector: duckdb.Vector, rows: number): Utf8Column {
  const data = duckdb.vector_get_data(vector, rows * STRING_BYTES);
  return new Utf8Column(data, duckdb.vector_get_validity(vector, Math.ceil(rows / 64) * 8));
}

import type { ExportFileFormat } from "../snapshot/snapshot-export.js";

const NEWLINE = 0x0a;
const QUOTE = 0x22;

/**
 * Counts the rows wholly contained in the bytes of an export streamed so far, for its progress.
 * NDJSON has one row per line. CSV rows end at a newline outside double quotes (a quote inside a
 * field is doubled, so toggling on every quote tracks that exactly), after one header line.
 * Parquet rows can be read only once the footer has arrived, so they count at the end.
 */
export class ExportRowCounter {
  #lines = 0;
  #inQuotes = false;

  constructor(
    private readonly format: ExportFileFormat,
    private readonly totalRows: number,
  ) {}

  /** Counts one chunk and returns the rows sent so far; `last` says the file is complete. */
  add(chunk: Uint8Array, last: boolean): number {
    if (last) return this.totalRows;
    if (this.format === "parquet") return 0;
    for (const byte of chunk) {
      if (byte === QUOTE && this.format === "csv") this.#inQuotes = !this.#inQuotes;
      else if (byte === NEWLINE && !this.#inQuotes) this.#lines++;
    }
    const header = this.format === "csv" ? 1 : 0;
    return Math.min(this.totalRows, Math.max(0, this.#lines - header));
  }
}

import type { SnapshotMemo } from "./snapshot-memo.js";
import type { SqlParam, SqlRunner } from "./sql-runner.js";
import type { Utf8Column } from "./utf8-column.js";

/** A value a {@link SnapshotReader.scan} hands over: the SQL casts columns to these types. */
export type ScanValue = string | number | boolean | bigint | null;

/** One column of a scan's chunk: numeric columns without NULLs arrive as typed arrays. */
export type ScanColumn = ArrayLike<ScanValue>;

/**
 * Receives one chunk of a scan, column by column (`columns[c][row]`, `rows` long); returning
 * `false` stops the scan. The columns the scan was asked to hand over as UTF-8 are in `utf8`
 * (empty in `columns`), valid only during the call.
 */
export type ScanChunk = (
  columns: readonly ScanColumn[],
  rows: number,
  utf8: readonly (Utf8Column | undefined)[],
) => boolean;

/**
 * What a read of the live snapshot is handed: queries, plus the two things only a snapshot has.
 * `scan` streams a whole table's worth of rows a chunk at a time, for loads into memory where
 * converting each row to an object would cost more than the data; `memo` is what the snapshot
 * keeps in memory for as long as it lives.
 */
export interface SnapshotReader extends SqlRunner {
  scan(
    sql: string,
    params: readonly SqlParam[],
    onChunk: ScanChunk,
    utf8Columns?: readonly number[],
  ): Promise<void>;
  readonly memo: SnapshotMemo;
}

import type { ScanColumn, SnapshotReader } from "../../snapshot/snapshot-reader.js";
import type { SqlParam } from "../../snapshot/sql-runner.js";
import type { Utf8Column } from "../../snapshot/utf8-column.js";

/**
 * Takes one chunk of a pass: `columns[c][row]`, `rows` long, `offset` the rows the pass handed
 * over before it (where an index writing into preallocated arrays puts this chunk), and the
 * columns the pass reads as UTF-8 in `utf8` (valid only during the call).
 */
export type TakeChunk = (
  columns: readonly ScanColumn[],
  rows: number,
  offset: number,
  utf8: readonly (Utf8Column | undefined)[],
) => void;

/** One scan of an in-memory load: its statement, the values it binds, and what takes its rows. */
export interface ScanPass {
  readonly sql: string;
  readonly params?: readonly SqlParam[];
  /** VARCHAR columns stored straight into a pool: handed over as bytes, not strings. */
  readonly utf8Columns?: readonly number[];
  readonly take: TakeChunk;
}

/**
 * Runs the scans of an in-memory load one after the other, each chunk to its pass's `take` with
 * the running offset, and stops as soon as `stopped` says the snapshot is gone. Every index loads
 * this way, so the counting and the stop check live here once rather than in each loader.
 */
export async function scanPasses(
  db: SnapshotReader,
  stopped: () => boolean,
  passes: readonly ScanPass[],
): Promise<void> {
  for (const pass of passes) {
    let offset = 0;
    await db.scan(
      pass.sql,
      pass.params ?? [],
      (columns, rows, utf8) => {
        pass.take(columns, rows, offset, utf8);
        offset += rows;
        return !stopped();
      },
      pass.utf8Columns,
    );
  }
}

/** An index that is filled by scans and then made ready to answer (pools sorted, ids ranked). */
export interface Sealable {
  seal(): void;
}

/**
 * Fills `index` by its passes and seals it: the one shape every loader ends with, so none can
 * hand out an index it forgot to seal.
 */
export async function loadSealed<T extends Sealable>(
  db: SnapshotReader,
  stopped: () => boolean,
  index: T,
  passes: readonly ScanPass[],
): Promise<T> {
  await scanPasses(db, stopped, passes);
  index.seal();
  return index;
}

/** Column `n` of the one row `sql` returns, as a number (0 when it returns none). */
export async function countOf(db: SnapshotReader, sql: string): Promise<number> {
  const [row = { n: 0 }] = await db.all(sql);
  return Number(row.n);
}

/**
 * Throws `message` when `sql` counts any row: a load refuses a snapshot whose data breaks what
 * its index assumes (duplicate or missing ids), so SQL keeps answering that snapshot.
 */
export async function refuseAny(db: SnapshotReader, sql: string, message: string): Promise<void> {
  if ((await countOf(db, sql)) > 0) throw new Error(message);
}

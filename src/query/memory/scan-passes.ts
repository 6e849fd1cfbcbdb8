import type { ScanValue, SnapshotReader } from "../../snapshot/snapshot-reader.js";
import type { SqlParam } from "../../snapshot/sql-runner.js";

/**
 * Takes one chunk of a pass: `columns[c][row]`, `rows` long, `offset` the rows the pass handed
 * over before it (where an index writing into preallocated arrays puts this chunk).
 */
export type TakeChunk = (
  columns: readonly (readonly ScanValue[])[],
  rows: number,
  offset: number,
) => void;

/** One scan of an in-memory load: its statement, the values it binds, and what takes its rows. */
export interface ScanPass {
  readonly sql: string;
  readonly params?: readonly SqlParam[];
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
    await db.scan(pass.sql, pass.params ?? [], (columns, rows) => {
      pass.take(columns, rows, offset);
      offset += rows;
      return !stopped();
    });
  }
}

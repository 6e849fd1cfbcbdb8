/**
 * Time travel, emulated with DuckDB's own MVCC: just before each write, the emulator opens a
 * connection, begins a transaction and touches the database, which pins a snapshot of every
 * table as it was before the write. The snapshot is "the state" for the interval between the
 * previous write and this one. `t AT(TIMESTAMP => ts)` then runs the whole statement on the
 * snapshot covering `ts` — or on a fresh connection when no write happened since `ts` — so a
 * reader pinning one point in time sees one consistent state across tables while tests write.
 * Snapshots cost almost nothing (DuckDB keeps only the changed rows' old versions).
 *
 * As in Snowflake, a point in the future, before the table was created, or older than the
 * retained snapshots is error 000707. Limits: every table in such a statement is read at that
 * point (not only the ones with `AT`); a statement may name one point in time; writes may not
 * use `AT`; a statement that fails while running on a snapshot aborts its transaction, so
 * later reads of that point in time get 000707. With time travel disabled the clause is
 * accepted and the live tables are read.
 *
 * @module
 */
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { SnowflakeError } from "./types.js";

/** A pinned pre-write state. */
export interface Snapshot {
  readonly connection: DuckDBConnection;
  /** First instant (ms) this state was current. */
  readonly validFrom: number;
  /** Instant (ms) the write that ended it committed. */
  readonly validTo: number;
  /** Set when a statement failed in the snapshot's transaction (it can no longer be read). */
  dead: boolean;
  queue: Promise<unknown>;
}

/** Where a time-travel read must run. */
export type TimeTravelSource =
  | { readonly kind: "live" }
  | { readonly kind: "snapshot"; readonly snapshot: Snapshot };

/** Facts about a table the resolution needs. */
export interface TableTimes {
  /** When the table was created (ms). */
  readonly created: number;
  /** When the last write committed (ms). */
  readonly lastAltered: number;
}

const PIN = "SELECT 1 FROM emulator_internal.table_meta LIMIT 0";

/** Error 000707, as Snowflake reports an unavailable point in time. */
export function timeTravelUnavailable(table: string): SnowflakeError {
  return new SnowflakeError({
    code: "000707",
    sqlState: "02000",
    type: "EXECUTION",
    message: `Time travel data is not available for table ${table.toUpperCase()}. The requested time is either beyond the allowed time travel period or before the object creation time.`,
  });
}

/** Keeps the snapshots; see the module comment. */
export class TimeTravelStore {
  private readonly snapshots: Snapshot[] = [];
  private lastWrite: number;

  /**
   * @param enabled whether snapshots are taken at all
   * @param maxSnapshots snapshots kept (oldest released first)
   * @param startedAt when the tables were loaded (ms)
   */
  constructor(
    private readonly enabled: boolean,
    private readonly maxSnapshots: number,
    startedAt: number,
  ) {
    this.lastWrite = startedAt;
  }

  /** Pins the current state before a write; returns the pinned connection (or undefined). */
  async pin(instance: DuckDBInstance): Promise<DuckDBConnection | undefined> {
    if (!this.enabled) return undefined;
    const connection = await instance.connect();
    await connection.run("BEGIN TRANSACTION");
    await connection.run(PIN);
    return connection;
  }

  /** Keeps a pinned state once its write committed at `committedAt` (ms). */
  async commit(connection: DuckDBConnection | undefined, committedAt: number): Promise<void> {
    if (connection !== undefined) {
      this.snapshots.push({
        connection,
        validFrom: this.lastWrite,
        validTo: committedAt,
        dead: false,
        queue: Promise.resolve(),
      });
    }
    this.lastWrite = committedAt;
    while (this.snapshots.length > this.maxSnapshots) {
      const oldest = this.snapshots.shift();
      if (oldest !== undefined) await oldest.queue.then(() => release(oldest.connection));
    }
  }

  /** Releases a pinned state whose write failed. */
  async discard(connection: DuckDBConnection | undefined): Promise<void> {
    if (connection !== undefined) await release(connection);
  }

  /** The commit time to stamp on a write finishing now (strictly after the previous one). */
  nextWriteTime(): number {
    return Math.max(Date.now(), this.lastWrite + 1);
  }

  /** Decides where `table AT(at)` is read. Throws 000707 when Snowflake would refuse. */
  resolve(table: string, at: number, times: TableTimes, now: number): TimeTravelSource {
    if (!Number.isFinite(at) || at > now + 1000 || at < times.created)
      throw timeTravelUnavailable(table);
    if (!this.enabled || at >= this.lastWrite) return { kind: "live" };
    const snapshot = this.snapshots.find((s) => s.validFrom <= at && at < s.validTo);
    if (snapshot === undefined || snapshot.dead) throw timeTravelUnavailable(table);
    return { kind: "snapshot", snapshot };
  }

  /** Runs `fn` on a snapshot's connection, one statement at a time; marks it dead if it breaks. */
  runOn<T>(snapshot: Snapshot, fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      try {
        return await fn(snapshot.connection);
      } catch (error) {
        try {
          await snapshot.connection.run(PIN);
        } catch {
          snapshot.dead = true;
        }
        throw error;
      }
    };
    const result = snapshot.queue.then(run, run);
    snapshot.queue = result.catch(() => undefined);
    return result;
  }

  /** Releases every snapshot (the emulator is closing). */
  async close(): Promise<void> {
    for (const snapshot of this.snapshots.splice(0)) {
      await snapshot.queue;
      await release(snapshot.connection);
    }
  }
}

async function release(connection: DuckDBConnection): Promise<void> {
  try {
    await connection.run("ROLLBACK");
  } catch {
    // an aborted transaction may refuse; closing discards it anyway
  }
  connection.closeSync();
}

import { DuckDBInstance } from "@duckdb/node-api";
import { SNAPSHOT_SCHEMA_VERSION } from "../schema/schema-version.js";
import { ConnectionPool } from "./connection-pool.js";
import { boundedCopy, type CopyOutcome, type CopyRequest } from "./snapshot-export.js";
import { type MemoEvent, type MemoLimits, SnapshotMemo } from "./snapshot-memo.js";
import type { SnapshotReader } from "./snapshot-reader.js";
import { META_SELECT, SOURCE_SQL } from "./snapshot-schema.js";
import type { SqlRunner } from "./sql-runner.js";

/** A snapshot's description of itself, read from its metadata tables when it is opened. */
export interface SnapshotInfo {
  readonly id: string;
  readonly source: string;
  /** Which source exactly it was built from; "" for a snapshot that predates the record. */
  readonly sourceIdentity: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly dataAsOf: Date;
  readonly fingerprint: string;
  readonly tables: readonly {
    readonly table: string;
    readonly rows: number;
    readonly buildMs: number;
  }[];
  readonly notes: readonly {
    readonly kind: string;
    readonly message: string;
    readonly rows: number;
  }[];
}

/**
 * One immutable snapshot opened read-only. Readers borrow it through a lease; once the store
 * retires it and the last lease ends, its database is closed and `onDisposed` removes the file.
 * This reference count is what lets a swap happen while long reads are still running.
 */
export class Snapshot {
  #leases = 0;
  #retired = false;
  #disposed: Promise<void> | undefined;
  #markGone: (outcome: Promise<void>) => void = () => {};
  readonly #gone = new Promise<void>((resolve) => {
    this.#markGone = resolve;
  });

  readonly #reader: SnapshotReader;

  private constructor(
    readonly info: SnapshotInfo,
    private readonly instance: DuckDBInstance,
    private readonly pool: ConnectionPool,
    private readonly onDisposed: (id: string) => Promise<void>,
    report: (event: MemoEvent) => void,
    limits: MemoLimits | undefined,
  ) {
    const memo = new SnapshotMemo((work) => this.use(work), report, limits);
    this.#reader = {
      run: (sql, params) => pool.run(sql, params),
      all: (sql, params) => pool.all(sql, params),
      scan: (sql, params, onChunk, utf8Columns) => pool.scan(sql, params, onChunk, utf8Columns),
      memo,
    };
  }

  /**
   * Opens a snapshot file read-only and reads its metadata; fails if the file is incomplete.
   * `report` hears about the structures built in memory from it (see {@link SnapshotMemo}),
   * whose remembered answers stay within `limits`. `memoryMb` caps DuckDB's memory for it:
   * unset, DuckDB takes up to 80 % of the machine, and its buffer pool and the structures' load
   * statements then keep gigabytes resident beside the structures themselves.
   */
  static async open(
    path: string,
    readers: number,
    onDisposed: (id: string) => Promise<void>,
    report?: (event: MemoEvent) => void,
    limits?: MemoLimits,
    memoryMb?: number,
  ): Promise<Snapshot> {
    const instance = await DuckDBInstance.create(path, {
      access_mode: "READ_ONLY",
      ...(memoryMb === undefined ? {} : { memory_limit: `${memoryMb}MB` }),
    });
    try {
      const pool = await ConnectionPool.create(instance, readers);
      const info = await readInfo(pool);
      return new Snapshot(info, instance, pool, onDisposed, report ?? (() => {}), limits);
    } catch (err) {
      instance.closeSync();
      throw err;
    }
  }

  /** What its remembered answers hold, for the memo's metric. */
  get memoUsage(): { bytes: number; entries: number } {
    return this.#reader.memo.usage;
  }

  /** Runs `read` with this snapshot held open, however long it takes. */
  async use<T>(read: (db: SnapshotReader) => Promise<T>): Promise<T> {
    this.#leases++;
    try {
      return await read(this.#reader);
    } finally {
      this.#leases--;
      if (this.#retired && this.#leases === 0) void this.dispose();
    }
  }

  /**
   * Writes an export file from this snapshot (see {@link boundedCopy}), held open like a read so
   * a swap during a long COPY waits for it.
   */
  exportTo(request: CopyRequest, signal?: AbortSignal): Promise<CopyOutcome> {
    return this.use(() => boundedCopy(this.pool, request, signal));
  }

  /**
   * Marks the snapshot as replaced; it closes once no reader holds it. The promise settles
   * when it is closed and its file removed, however long the last reader takes.
   */
  retire(): Promise<void> {
    this.#retired = true;
    void this.#reader.memo.stop();
    if (this.#leases === 0) void this.dispose();
    return this.#gone;
  }

  /**
   * Closes the snapshot without removing its file (for shutdown), once the structures being
   * built from it have stopped.
   */
  async close(): Promise<void> {
    await this.#reader.memo.stop();
    this.pool.close();
    this.instance.closeSync();
  }

  private dispose(): Promise<void> {
    this.#disposed ??= (async () => {
      await this.pool.drain();
      await this.close();
      await this.onDisposed(this.info.id);
    })();
    this.#markGone(this.#disposed);
    return this.#disposed;
  }
}

async function readInfo(db: SqlRunner): Promise<SnapshotInfo> {
  await checkSchemaVersion(db);
  const [meta] = await db.all(META_SELECT.meta);
  if (meta === undefined) throw new Error("snapshot has no metadata row: it was never finished");
  const tables = await db.all(META_SELECT.tables);
  const notes = await db.all(META_SELECT.notes);
  const [hasSource] = await db.all(SOURCE_SQL.exists);
  const [source] = Number(hasSource?.n ?? 0) > 0 ? await db.all(SOURCE_SQL.select) : [];
  return {
    id: String(meta.snapshot_id),
    source: String(meta.source),
    sourceIdentity: String(source?.identity ?? ""),
    startedAt: new Date(String(meta.started_at)),
    finishedAt: new Date(String(meta.finished_at)),
    dataAsOf: new Date(String(meta.data_as_of)),
    fingerprint: String(meta.source_fingerprint ?? ""),
    tables: tables.map((t) => ({
      table: String(t.table_name),
      rows: Number(t.row_count),
      buildMs: Number(t.build_ms),
    })),
    notes: notes.map((n) => ({
      kind: String(n.kind),
      message: String(n.message),
      rows: Number(n.row_count),
    })),
  };
}

/**
 * Refuses a snapshot written for another schema (an older release, a column added since): its
 * tables would be misread. The store then starts without it and the first sync rebuilds it.
 */
async function checkSchemaVersion(db: SqlRunner): Promise<void> {
  const [row] = await db.all(META_SELECT.version);
  if (row === undefined) return;
  const found = row.schema_version;
  if (found === SNAPSHOT_SCHEMA_VERSION) return;
  const what =
    found === null || found === undefined ? "no schema version" : `schema version ${String(found)}`;
  throw new Error(
    `the snapshot has ${what}, this release writes ${SNAPSHOT_SCHEMA_VERSION}: it is not served, a fresh sync rebuilds it`,
  );
}

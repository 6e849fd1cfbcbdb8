import type { Logger } from "pino";
import { ExportFiles } from "./export-files.js";
import { Snapshot } from "./snapshot.js";
import { type BuildInput, type BuildResult, buildSnapshot } from "./snapshot-build.js";
import { corruptionOf, snapshotCorruptError } from "./snapshot-corrupt.js";
import type { CopyOutcome, CopyRequest } from "./snapshot-export.js";
import { SnapshotFiles } from "./snapshot-files.js";
import type { MemoLimits } from "./snapshot-memo.js";
import type { SnapshotReader } from "./snapshot-reader.js";
import { recoverAtStart } from "./snapshot-recovery.js";

/** Connections per open snapshot: enough for two cores to stay busy while others wait on I/O. */
const READERS_PER_SNAPSHOT = 4;

/** How many retired snapshots ListSnapshots remembers. */
const HISTORY_LENGTH = 20;

/**
 * Holds the one live snapshot and swaps in new ones. Swapping is a single assignment after the
 * new file is complete and the CURRENT pointer renamed, so a reader sees the old snapshot or
 * the new one, never a mix; the old one is retired and deleted once its last reader is done.
 * At most three snapshot files exist: the live one, one being built and one being retired.
 * A snapshot found corrupt (at start-up by its checksum, or by a query) is quarantined and
 * never served again; the store then asks for a rebuild through {@link onCorrupt}.
 */
export class SnapshotStore {
  readonly files: SnapshotFiles;
  /** The temporary files of exports, under `DATA_DIR/exports`. */
  readonly exports: ExportFiles;
  #live: Snapshot | undefined;
  #confirmedAt = 0;
  readonly #retiring = new Set<Promise<void>>();
  readonly #history: { info: Snapshot["info"]; retiredAt: Date }[] = [];
  readonly #listeners = new Set<(info: Snapshot["info"] | undefined) => void>();
  readonly #corruptListeners = new Set<(reason: string) => void>();
  #notServing: string | undefined;
  #rebuild = false;

  /**
   * `options.sourceIdentity` is the configured source's identity: a snapshot from another is
   * not served. `options.memo` bounds each snapshot's remembered answers.
   */
  constructor(
    dataDir: string,
    private readonly log: Logger,
    private readonly options: {
      sourceIdentity?: string;
      memo?: MemoLimits;
      /** DuckDB's memory limit for each snapshot opened, in MiB (DuckDB's default when unset). */
      memoryMb?: number;
    } = {},
  ) {
    this.files = new SnapshotFiles(dataDir);
    this.exports = new ExportFiles(dataDir);
  }

  /**
   * Why no snapshot is served although one may be on disk (another source's, or one found
   * corrupt), for readiness and errors; undefined when serving or when there was none.
   */
  get notServing(): string | undefined {
    return this.#live === undefined ? this.#notServing : undefined;
  }

  /** True when start-up found a damaged snapshot, so the first sync must rebuild, not skip. */
  get needsRebuild(): boolean {
    return this.#rebuild;
  }

  /** The estimated bytes and count of the live snapshot's remembered answers. */
  memoUsage(): { bytes: number; entries: number } {
    return this.#live?.memoUsage ?? { bytes: 0, entries: 0 };
  }

  /** Calls `listener` when a query found the live snapshot corrupt (the service rebuilds). */
  onCorrupt(listener: (reason: string) => void): () => void {
    this.#corruptListeners.add(listener);
    return () => this.#corruptListeners.delete(listener);
  }

  /**
   * The live snapshot's description, or undefined before the first one is loaded. Its
   * `dataAsOf` moves forward when a sync confirms the source unchanged (see {@link confirm}).
   */
  get live(): Snapshot["info"] | undefined {
    const info = this.#live?.info;
    if (info === undefined || this.#confirmedAt <= info.dataAsOf.getTime()) return info;
    return { ...info, dataAsOf: new Date(this.#confirmedAt) };
  }

  /**
   * Records that the source was seen unchanged at `at`: the live snapshot's data is then true
   * as of that moment, which is what keeps its reported age honest without a rebuild.
   */
  confirm(at: Date): void {
    this.#confirmedAt = Math.max(this.#confirmedAt, at.getTime());
  }

  /**
   * Chooses and opens the snapshot to serve (see {@link recoverAtStart}: checksums verified,
   * a broken CURRENT recovered from, another source's snapshot refused). Returns whether a
   * snapshot is now live.
   */
  async openLast(): Promise<boolean> {
    await this.files.ensure();
    await this.exports.clear();
    const found = await recoverAtStart(
      this.files,
      (id) => this.#open(id),
      this.options.sourceIdentity,
      this.log,
    );
    this.#live = found.snapshot;
    this.#notServing = found.notServing;
    this.#rebuild = found.rebuild;
    if (this.#live !== undefined) {
      this.log.info({ snapshot: this.#live.info.id }, "serving the snapshot on disk");
    }
    this.#notify();
    return this.#live !== undefined;
  }

  /**
   * Builds a snapshot and makes it live. A failed build throws and leaves the live snapshot
   * serving; the new one becomes live only once its file is complete and the pointer is durable.
   */
  async buildAndSwap(input: BuildInput): Promise<BuildResult> {
    const result = await buildSnapshot(this.files, input);
    await this.#swapIn(input.id);
    return result;
  }

  /**
   * Makes live a finished snapshot someone else built, already placed at `files.pathOf(id)`
   * with its digest beside it (a replica's copy of a publication): opened, its in-memory
   * structures warmed by the same listeners, and swapped exactly as a build is. A file that
   * does not open is removed and the live snapshot keeps serving.
   */
  async adopt(id: string): Promise<void> {
    await this.#swapIn(id);
  }

  /** Opens `id`, points CURRENT at it and swaps it in; the previous snapshot is retired. */
  async #swapIn(id: string): Promise<void> {
    let next: Snapshot;
    try {
      next = await this.#open(id);
      await this.files.setCurrent(id);
    } catch (err) {
      await this.files.remove(id);
      throw err;
    }
    const previous = this.#live;
    this.#live = next;
    this.#notServing = undefined;
    this.#rebuild = false;
    this.#confirmedAt = 0;
    this.#notify();
    this.log.info({ snapshot: id, previous: previous?.info.id }, "snapshot swapped in");
    if (previous !== undefined) {
      this.#history.unshift({ info: previous.info, retiredAt: new Date() });
      this.#history.splice(HISTORY_LENGTH);
      const retired = previous.retire().catch((err: unknown) => {
        this.log.error({ snapshot: previous.info.id, err: String(err) }, "retiring failed");
      });
      this.#retiring.add(retired);
      void retired.finally(() => this.#retiring.delete(retired));
    }
  }

  /**
   * Runs a read against the live snapshot, holding it open until the read finishes even if a
   * swap happens meanwhile. Returns undefined when no snapshot is loaded.
   */
  async read<T>(
    read: (db: SnapshotReader, info: Snapshot["info"]) => Promise<T>,
  ): Promise<{ value: T; info: Snapshot["info"] } | undefined> {
    const snapshot = this.#live;
    if (snapshot === undefined) return undefined;
    const info = this.live ?? snapshot.info;
    const value = await snapshot
      .use((db) => read(db, info))
      .catch((err: unknown) => {
        throw this.#failed(snapshot, err);
      });
    return { value, info };
  }

  /**
   * Writes an export file from the live snapshot (count, then `COPY ... TO` when the rows fit
   * within `request.maxRows`), holding the snapshot open throughout. Returns undefined when no
   * snapshot is loaded. An aborted `signal` interrupts DuckDB.
   */
  async exportTo(
    request: CopyRequest,
    signal?: AbortSignal,
  ): Promise<(CopyOutcome & { info: Snapshot["info"] }) | undefined> {
    const snapshot = this.#live;
    if (snapshot === undefined) return undefined;
    const info = this.live ?? snapshot.info;
    const outcome = await snapshot.exportTo(request, signal).catch((err: unknown) => {
      throw this.#failed(snapshot, err);
    });
    return { ...outcome, info };
  }

  /** The live snapshot and the ones this process retired, newest first. */
  snapshots(): { info: Snapshot["info"]; retiredAt: Date | undefined }[] {
    const live = this.live;
    return [
      ...(live === undefined ? [] : [{ info: live, retiredAt: undefined }]),
      ...this.#history,
    ];
  }

  /** Calls `listener` whenever the live snapshot changes (readiness follows it). */
  onChange(listener: (info: Snapshot["info"] | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Closes the live snapshot, keeping its file for the next start, after the snapshots being
   * retired have been closed and removed (their readers have finished by then).
   */
  async close(): Promise<void> {
    await Promise.all(this.#retiring);
    await this.#live?.close();
    this.#live = undefined;
  }

  /**
   * Looks at a failed read: an I/O corruption of the file takes the snapshot out of service
   * (quarantined, readiness off, a rebuild asked for) and becomes a {@link snapshotCorruptError};
   * any other error passes through unchanged.
   */
  #failed(snapshot: Snapshot, err: unknown): unknown {
    const corruption = corruptionOf(err);
    if (corruption === undefined) return err;
    const { id } = snapshot.info;
    const reason = `snapshot ${id} is corrupt (${corruption}); it was taken out of service and is being rebuilt`;
    if (this.#live === snapshot) {
      this.#live = undefined;
      this.#notServing = reason;
      this.#rebuild = true;
      this.log.error({ snapshot: id, err: corruption }, reason);
      const quarantined = this.files
        .quarantine(id)
        .then((moved) => this.log.warn({ snapshot: id, quarantined: moved }, "quarantined"))
        .then(() => snapshot.retire())
        .catch((e: unknown) =>
          this.log.error({ snapshot: id, err: String(e) }, "quarantine failed"),
        );
      this.#retiring.add(quarantined);
      void quarantined.finally(() => this.#retiring.delete(quarantined));
      this.#notify();
      for (const listener of this.#corruptListeners) listener(reason);
    }
    return snapshotCorruptError(reason, err);
  }

  #open(id: string): Promise<Snapshot> {
    return Snapshot.open(
      this.files.pathOf(id),
      READERS_PER_SNAPSHOT,
      async (disposed) => {
        await this.files.remove(disposed);
        this.log.info({ snapshot: disposed }, "retired snapshot removed");
      },
      (event) => {
        if (event.kind === "built") {
          this.log.info(
            { snapshot: id, memo: event.name, ms: Math.round(event.ms) },
            "built in memory",
          );
        } else {
          this.log.warn(
            { snapshot: id, memo: event.name, err: String(event.error) },
            "building in memory failed; SQL keeps answering",
          );
          const live = this.#live;
          if (live?.info.id === id) this.#failed(live, event.error);
        }
      },
      this.options.memo,
      this.options.memoryMb,
    );
  }

  #notify(): void {
    for (const listener of this.#listeners) listener(this.#live?.info);
  }
}

import type { Logger } from "pino";
import type { BuildInput, TableBuild } from "../snapshot/snapshot-build.js";
import { newSnapshotId } from "../snapshot/snapshot-files.js";
import type { SnapshotStore } from "../snapshot/snapshot-store.js";
import type { SqlRunner } from "../snapshot/sql-runner.js";
import type { Source } from "../source/source.js";
import { type SyncRunRecord, SyncStatus, type SyncTrigger } from "./sync-status.js";

/** Builds the derived analytics tables inside a snapshot under construction. */
export type Derive = (db: SqlRunner) => Promise<readonly TableBuild[]>;

/**
 * Runs syncs: read the source, build a snapshot, swap it in. One at a time: a request made
 * while a run is going joins that run. A run that finds the source unchanged since the live
 * snapshot is skipped (and says so); a run that fails leaves the live snapshot serving and is
 * recorded with its error.
 */
export class Syncer {
  readonly status = new SyncStatus();
  #running: Promise<SyncRunRecord> | undefined;

  constructor(
    private readonly source: Source,
    private readonly store: SnapshotStore,
    private readonly log: Logger,
    private readonly derive?: Derive,
  ) {}

  /** Starts a run, or returns the one already going. Never rejects: failures are recorded. */
  sync(trigger: SyncTrigger): Promise<SyncRunRecord> {
    this.#running ??= this.#run(trigger).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Resolves when no run is going (for shutdown). */
  async idle(): Promise<void> {
    await this.#running;
  }

  async #run(trigger: SyncTrigger): Promise<SyncRunRecord> {
    const id = newSnapshotId();
    const run = this.status.start(id, trigger);
    const log = this.log.child({ run: id, trigger });
    try {
      const checkedAt = new Date();
      const fingerprint = await this.source.fingerprint();
      const live = this.store.live;
      if (live !== undefined && live.fingerprint === fingerprint) {
        this.store.confirm(checkedAt);
        this.status.finish(run, "skipped", `the source has not changed since snapshot ${live.id}`);
        log.info({ snapshot: live.id }, "sync skipped: source unchanged");
        return run;
      }
      log.info({ source: this.source.kind }, "sync started");
      const load = await this.source.load();
      const input: BuildInput = {
        id,
        source: this.source.kind,
        fingerprint,
        load,
        ...(this.derive === undefined ? {} : { derive: this.derive }),
        onProgress: (p) => {
          if (p.table !== undefined && p.rows !== undefined) {
            run.tables.push({ table: p.table, rows: p.rows, durationMs: 0 });
          }
        },
      };
      const result = await this.store.buildAndSwap(input);
      run.tables = result.tables.map((t) => ({ ...t }));
      run.dropped = result.notes
        .filter((n) => n.kind === "dropped")
        .map((n) => ({ reason: n.message, rows: n.rows }));
      for (const note of result.notes) log.info(note, "load note");
      this.status.finish(run, "succeeded");
      log.info({ tables: run.tables }, "sync succeeded");
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.status.finish(run, "failed", message);
      log.error({ err: message }, "sync failed; the previous snapshot keeps serving");
    }
    return run;
  }
}

import type { Logger } from "pino";
import { kindOf } from "../app-error.js";
import type { BuildInput, TableBuild } from "../snapshot/snapshot-build.js";
import { newSnapshotId } from "../snapshot/snapshot-files.js";
import type { SnapshotStore } from "../snapshot/snapshot-store.js";
import type { SqlRunner } from "../snapshot/sql-runner.js";
import {
  BlockedSyncError,
  DEFAULT_POLICY,
  type ValidationPolicy,
} from "../snapshot/validate-base-tables.js";
import type { Source } from "../source/source.js";
import type { DeriveContext } from "./derive-all.js";
import type { SyncHistory } from "./sync-history.js";
import { SyncProgress } from "./sync-progress.js";
import {
  type SyncOptions,
  type SyncRunRecord,
  SyncStatus,
  type SyncTrigger,
} from "./sync-status.js";

/** Builds the derived analytics tables inside a snapshot under construction. */
export type Derive = (db: SqlRunner, context: DeriveContext) => Promise<readonly TableBuild[]>;

/**
 * Runs syncs: read the source, build a snapshot, swap it in. One at a time: a request made
 * while a run is going joins that run. A run that finds the source unchanged since the live
 * snapshot is skipped (and says so) unless forced; a run that fails leaves the live snapshot
 * serving and is recorded with its error.
 */
export class Syncer {
  readonly status: SyncStatus;
  readonly progress = new SyncProgress();
  #running: { run: SyncRunRecord; done: Promise<SyncRunRecord> } | undefined;
  readonly #runEnd = new Set<(run: SyncRunRecord) => void>();
  readonly #stopping = new AbortController();

  constructor(
    private readonly source: Source,
    private readonly store: SnapshotStore,
    private readonly log: Logger,
    private readonly derive?: Derive,
    private readonly settings: {
      readonly sourceIdentity?: string;
      readonly history?: SyncHistory;
      readonly validation?: Omit<ValidationPolicy, "allowShrink">;
    } = {},
  ) {
    this.status = new SyncStatus(settings.history?.length);
  }

  /** Takes up the runs recorded on disk by earlier processes (call once, before syncing). */
  async restoreHistory(): Promise<void> {
    const runs = await this.settings.history?.load();
    if (runs !== undefined) this.status.restore(runs);
  }

  /** The statement the running sync waits on at the source, if any (GetSyncStatus). */
  currentStatement(): { readonly what: string; readonly startedAt: Date } | undefined {
    return this.#running === undefined ? undefined : this.source.currentStatement?.();
  }

  /**
   * Starts a run, or joins the one already going. Never rejects: failures are recorded.
   * `options.allowShrink` (an admin's `TriggerSync{allow_shrink}`) lets this run empty or shrink
   * a table.
   */
  sync(trigger: SyncTrigger, options: SyncOptions = {}): Promise<SyncRunRecord> {
    return this.trigger(trigger, options).done;
  }

  /**
   * Starts a run, or joins the one going; returns the run at once with whether it was joined,
   * and a promise of its end.
   */
  trigger(
    trigger: SyncTrigger,
    options: SyncOptions = {},
  ): { run: SyncRunRecord; joined: boolean; done: Promise<SyncRunRecord> } {
    if (this.#running !== undefined) return { ...this.#running, joined: true };
    const id = newSnapshotId();
    const run = this.status.start(id, trigger, options);
    void this.settings.history?.save(this.status.recentRuns);
    this.progress.begin(id);
    // The listeners (readiness, schedule) hear of the end before the history's file write, not
    // after it: GetSyncStatus shows the ended run at once, and /readyz must not lag behind it.
    const done = this.#run(run, options)
      .finally(() => {
        this.#running = undefined;
        for (const listener of this.#runEnd) listener(run);
      })
      .then(async (ended) => {
        await this.settings.history?.save(this.status.recentRuns);
        return ended;
      });
    this.#running = { run, done };
    return { run, joined: false, done };
  }

  /** Calls `listener` after every run, whatever its outcome (the schedule retries on failure). */
  onRunEnd(listener: (run: SyncRunRecord) => void): void {
    this.#runEnd.add(listener);
  }

  /**
   * Aborts the run in progress, and any started later, at the build's next statement (the one
   * running is interrupted): shutdown must not wait minutes for a sync. The run fails with
   * `reason` and its partial file is removed; the live snapshot keeps serving until the end.
   */
  abort(reason: string): void {
    this.#stopping.abort(new Error(reason));
  }

  /** Resolves when no run is going (for shutdown). */
  async idle(): Promise<void> {
    await this.#running?.done;
  }

  async #run(run: SyncRunRecord, options: SyncOptions): Promise<SyncRunRecord> {
    const log = this.log.child({ run: run.runId, trigger: run.trigger });
    try {
      this.#stopping.signal.throwIfAborted();
      const checkedAt = new Date();
      const fingerprint = await this.source.fingerprint();
      const live = this.store.live;
      const rebuild = options.force === true || this.store.needsRebuild;
      if (!rebuild && live !== undefined && live.fingerprint === fingerprint) {
        this.store.confirm(checkedAt);
        this.#end(run, "skipped", `the source has not changed since snapshot ${live.id}`);
        log.info({ snapshot: live.id }, "sync skipped: source unchanged");
        return run;
      }
      log.info({ source: this.source.kind }, "sync started");
      const load = await this.source.load({ syncId: run.runId });
      const input: BuildInput = {
        id: run.runId,
        source: this.source.kind,
        ...(this.settings.sourceIdentity === undefined
          ? {}
          : { sourceIdentity: this.settings.sourceIdentity }),
        fingerprint,
        load,
        ...(this.derive === undefined ? {} : { derive: this.derive }),
        onProgress: (p) => this.progress.build(p),
        validation: {
          ...(this.settings.validation ?? DEFAULT_POLICY),
          allowShrink: options.allowShrink === true,
        },
        ...(live === undefined ? {} : { liveRows: liveRows(live.tables) }),
        signal: this.#stopping.signal,
      };
      const result = await this.store.buildAndSwap(input);
      run.tables = result.tables.map((t) => ({ ...t }));
      run.dropped = result.notes
        .filter((n) => n.kind === "dropped")
        .map((n) => ({ reason: n.message, rows: n.rows }));
      for (const note of result.notes) log.info(note, "load note");
      this.#end(run, "succeeded", "");
      log.info({ tables: run.tables }, "sync succeeded");
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof BlockedSyncError) {
        run.blocked = { check: err.check, table: err.table, rows: err.rows };
      }
      run.errorKind = kindOf(err);
      this.#end(run, "failed", message);
      const live = this.store.live;
      if (this.#stopping.signal.aborted) log.warn({ err: message }, "sync aborted");
      else
        log.error(
          { err: message, kind: run.errorKind, snapshot: live?.id },
          live === undefined
            ? "sync failed; no snapshot is serving until a sync succeeds"
            : "sync failed; the previous snapshot keeps serving",
        );
    }
    return run;
  }

  #end(run: SyncRunRecord, state: "succeeded" | "failed" | "skipped", message: string): void {
    this.status.finish(run, state, message);
    this.progress.end(state, message);
  }
}

/** The live snapshot's row count per table, which the shrink checks compare against. */
function liveRows(tables: readonly { table: string; rows: number }[]): Record<string, number> {
  return Object.fromEntries(tables.map((t) => [t.table, t.rows]));
}

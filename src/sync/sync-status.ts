/** Where a run is, or how it ended. */
export type SyncState = "running" | "succeeded" | "failed" | "skipped";

/** What started a run. */
export type SyncTrigger = "startup" | "schedule" | "request" | "retry" | "recovery";

/**
 * How a run was asked to go. A retry of a failed run reuses its options, so a forced sync
 * that failed is retried forced (a plain retry could skip and leave a bad snapshot in place).
 */
export interface SyncOptions {
  /** Rebuild even when the source's fingerprint says nothing changed. */
  readonly force?: boolean;
  /** Let this run empty or shrink a base table past `SYNC_MAX_SHRINK` (an admin's explicit word). */
  readonly allowShrink?: boolean;
}

/** One sync attempt as the status reports it. */
export interface SyncRunRecord {
  readonly runId: string;
  readonly trigger: SyncTrigger;
  /** The options it was started with; retries reuse them. */
  readonly options: SyncOptions;
  state: SyncState;
  readonly startedAt: Date;
  finishedAt: Date | undefined;
  /** Why it failed or was skipped; "" otherwise. */
  message: string;
  /** The failure's kind (`invalid_data`, `unavailable`, `internal`...); "" unless it failed. */
  errorKind: string;
  tables: { table: string; rows: number; durationMs: number }[];
  dropped: { reason: string; rows: number }[];
  /** The blocking validation check that failed the run, its table and failing rows; else unset. */
  blocked?: { check: string; table: string; rows: number };
}

/**
 * The syncer's memory of its runs: the latest, and the latest failure, kept after later
 * successes so an operator can still see what went wrong. It exists apart from the syncer so
 * the API can read it without reaching into the run machinery.
 */
export class SyncStatus {
  lastRun: SyncRunRecord | undefined;
  lastFailedRun: SyncRunRecord | undefined;
  nextRunAt: Date | undefined;
  /** The last runs, newest first, including those of earlier processes (see SyncHistory). */
  readonly recentRuns: SyncRunRecord[] = [];

  constructor(private readonly historyLength = 20) {}

  /** Takes up the runs an earlier process recorded (newest first), before any run starts. */
  restore(runs: readonly SyncRunRecord[]): void {
    this.recentRuns.push(...runs.slice(0, this.historyLength));
    this.lastRun ??= runs[0];
    this.lastFailedRun ??= runs.find((run) => run.state === "failed");
  }

  /** Records a new run as running and returns it for the syncer to update. */
  start(runId: string, trigger: SyncTrigger, options: SyncOptions = {}): SyncRunRecord {
    const run: SyncRunRecord = {
      runId,
      trigger,
      options,
      state: "running",
      startedAt: new Date(),
      finishedAt: undefined,
      message: "",
      errorKind: "",
      tables: [],
      dropped: [],
    };
    this.lastRun = run;
    this.recentRuns.unshift(run);
    this.recentRuns.splice(this.historyLength);
    return run;
  }

  /** Ends a run with its outcome. */
  finish(run: SyncRunRecord, state: Exclude<SyncState, "running">, message = ""): void {
    run.state = state;
    run.message = message;
    run.finishedAt = new Date();
    if (state === "failed") this.lastFailedRun = run;
  }
}

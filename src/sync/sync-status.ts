/** Where a run is, or how it ended. */
export type SyncState = "running" | "succeeded" | "failed" | "skipped";

/** What started a run. */
export type SyncTrigger = "startup" | "schedule" | "request" | "retry";

/** One sync attempt as the status reports it. */
export interface SyncRunRecord {
  readonly runId: string;
  readonly trigger: SyncTrigger;
  state: SyncState;
  readonly startedAt: Date;
  finishedAt: Date | undefined;
  /** Why it failed or was skipped; "" otherwise. */
  message: string;
  /** The failure's kind (`invalid_data`, `unavailable`, `internal`...); "" unless it failed. */
  errorKind: string;
  tables: { table: string; rows: number; durationMs: number }[];
  dropped: { reason: string; rows: number }[];
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

  /** Records a new run as running and returns it for the syncer to update. */
  start(runId: string, trigger: SyncTrigger): SyncRunRecord {
    const run: SyncRunRecord = {
      runId,
      trigger,
      state: "running",
      startedAt: new Date(),
      finishedAt: undefined,
      message: "",
      errorKind: "",
      tables: [],
      dropped: [],
    };
    this.lastRun = run;
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

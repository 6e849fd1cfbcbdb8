import cron, { type ScheduledTask } from "node-cron";
import type { Logger } from "pino";
import type { SyncRunRecord } from "./sync-status.js";
import type { Syncer } from "./syncer.js";

/** How long to wait before retrying a failed sync: doubling from the first, up to the last. */
const RETRY_FIRST_MS = 5_000;
const RETRY_MAX_MS = 5 * 60_000;

/**
 * Runs the syncer on the `SYNC_CRON` schedule and retries failed runs with exponential backoff
 * (5 s, 10 s, 20 s, … up to 5 min, reset by a success), so a Snowflake outage heals by itself
 * without a crash loop. A retry keeps the failed run's options (a failed forced sync is
 * retried forced). It keeps the syncer's status told when the next run is due.
 */
export class SyncSchedule {
  #task: ScheduledTask | undefined;
  #retry: NodeJS.Timeout | undefined;
  #retryAt: Date | undefined;
  #failures = 0;

  constructor(
    private readonly syncer: Syncer,
    private readonly log: Logger,
    private readonly cronExpression: string | undefined,
    private readonly retryFirstMs = RETRY_FIRST_MS,
  ) {
    syncer.onRunEnd((run) => this.#after(run));
  }

  /** Starts the schedule (no-op without `SYNC_CRON`). */
  start(): void {
    if (this.cronExpression !== undefined) {
      this.#task = cron.schedule(this.cronExpression, () => void this.syncer.sync("schedule"), {
        noOverlap: true,
      });
    }
    this.#publish();
  }

  /** Stops the schedule and any pending retry. */
  async stop(): Promise<void> {
    clearTimeout(this.#retry);
    this.#retry = undefined;
    await this.#task?.destroy();
    this.#task = undefined;
  }

  #after(run: SyncRunRecord): void {
    const { state } = run;
    if (state === "failed") {
      this.#failures++;
      const delay = Math.min(RETRY_MAX_MS, this.retryFirstMs * 2 ** (this.#failures - 1));
      clearTimeout(this.#retry);
      this.#retryAt = new Date(Date.now() + delay);
      this.#retry = setTimeout(() => {
        this.#retry = undefined;
        this.#retryAt = undefined;
        void this.syncer.sync("retry", run.options);
      }, delay);
      this.#retry.unref();
      this.log.warn(
        {
          retryInMs: delay,
          retryAt: this.#retryAt.toISOString(),
          failures: this.#failures,
          err: run.message,
        },
        `sync failed (${run.message}); it will be retried at ${this.#retryAt.toISOString()}`,
      );
    } else if (state === "succeeded" || state === "skipped") {
      this.#failures = 0;
    }
    this.#publish();
  }

  #publish(): void {
    const next = this.#task?.getNextRun() ?? undefined;
    const candidates = [next, this.#retryAt].filter((d): d is Date => d !== undefined);
    this.syncer.status.nextRunAt =
      candidates.length === 0
        ? undefined
        : new Date(Math.min(...candidates.map((d) => d.getTime())));
  }
}

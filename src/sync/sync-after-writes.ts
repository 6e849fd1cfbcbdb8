import type { Logger } from "pino";
import type { Syncer } from "./syncer.js";

/**
 * Schedules a sync a while after the last write (`SYNC_AFTER_WRITES`, default 60 s), so the
 * snapshot and the derived analytics take writes in without a sync per write: every write
 * pushes the sync back, and a burst of writes costs one sync. Disabled (`off`) when `delayMs`
 * is undefined; then the cron schedule or an admin brings the writes in.
 */
export class SyncAfterWrites {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly syncer: Pick<Syncer, "sync">,
    private readonly log: Logger,
    private readonly delayMs: number | undefined,
  ) {}

  /** Called after each confirmed write: (re)starts the countdown. */
  poke(): void {
    if (this.delayMs === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.log.info({ afterWritesMs: this.delayMs }, "syncing to take recent writes in");
      void this.syncer.sync("schedule").catch(() => undefined);
    }, this.delayMs);
    this.#timer.unref();
  }

  /** Cancels a pending sync (at shutdown). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

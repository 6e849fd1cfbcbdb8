import { mkdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import type { PendingWrites } from "../query/pending-writes.js";
import type { WriteEffect } from "../write/row-writer.js";
import { WriteLogAppender } from "./write-log-appender.js";
import { newWriterId, WRITE_LOG_DIR } from "./write-log-entry.js";
import { WriteLogTailer } from "./write-log-tailer.js";

/** How often the other writers' segments are read: well inside the 2 s a write may take to show. */
export const WRITE_LOG_POLL_MS = 250;

/** What the shared write log did, for /metrics. */
export interface WriteLogStats {
  /** Writes of other processes laid over this one's overlay. */
  readonly applied: number;
  /** When the last one was. */
  readonly lastAppliedAt: Date | undefined;
  /** Writes of this process whose line could not be appended (they reach others by publication). */
  readonly appendFailures: number;
}

/** What the log needs from the process it runs in. */
export interface WriteLogSettings {
  /** PUBLISH_DIR; the log lives in its `writes/` folder. */
  readonly publishDir: string;
  /** Whether this process takes writes, and so appends; one that refuses them only tails. */
  readonly appends: boolean;
  /** Whether this process removes the segments of writers that are gone (the syncer). */
  readonly sweepsOthers: boolean;
  /** How long a segment a publication holds is kept for readers still copying it. */
  readonly graceMs: number;
  readonly overlay: PendingWrites;
  /** The data time of the snapshot served here: entries it holds are not applied. */
  readonly servedThrough: () => Date | undefined;
  /** The data time of the newest publication: segments it holds may go. */
  readonly publishedThrough: () => Date | undefined;
  /** Told when another process's write was applied (the syncer schedules its sync after writes). */
  readonly onForeignWrite: () => void;
  readonly log: Logger;
}

/**
 * The shared log of written rows that makes a write on any replica visible on every replica
 * within a poll: each process appends its confirmed writes to its own segments under
 * `PUBLISH_DIR/writes/` ({@link WriteLogAppender}) and tails everyone else's
 * ({@link WriteLogTailer}) into its overlay, every {@link WRITE_LOG_POLL_MS}, by polling
 * because file events are not delivered on every network filesystem. The log only speeds
 * visibility up: the source holds every write, and the next publication carries it whatever
 * happens to a line, so a line that cannot be written is logged and the write still succeeds.
 */
export class SharedWriteLog {
  #applied = 0;
  #lastAppliedAt: Date | undefined;
  #appendFailures = 0;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #lastProblem = "";

  private constructor(
    private readonly settings: WriteLogSettings,
    private readonly dir: string,
    private readonly appender: WriteLogAppender | undefined,
    private readonly tailer: WriteLogTailer,
  ) {}

  /**
   * Makes `writes/` if it is missing and starts tailing. A directory this process cannot
   * write (a read-only mount) still is tailed; this process's writes are then not shared.
   */
  static async start(settings: WriteLogSettings): Promise<SharedWriteLog> {
    const dir = join(settings.publishDir, WRITE_LOG_DIR);
    const writerId = newWriterId();
    let appender: WriteLogAppender | undefined;
    try {
      if (settings.appends) {
        await mkdir(dir, { recursive: true });
        appender = new WriteLogAppender(dir, writerId);
      }
    } catch (err) {
      settings.log.warn(
        { dir, err: String(err) },
        "the shared write log cannot be made; this process's writes reach the others at the next publication",
      );
    }
    const log = new SharedWriteLog(settings, dir, appender, new WriteLogTailer(dir, writerId));
    log.#timer = setInterval(() => log.poll(), WRITE_LOG_POLL_MS);
    log.#timer.unref();
    log.poll();
    return log;
  }

  /** What the log did so far. */
  get stats(): WriteLogStats {
    return {
      applied: this.#applied,
      lastAppliedAt: this.#lastAppliedAt,
      appendFailures: this.#appendFailures,
    };
  }

  /**
   * Appends a write this process just had confirmed; never rejects. A failure is logged: the
   * write is committed at the source and in this process's overlay, and the next publication
   * carries it to the others.
   */
  async record(effects: readonly WriteEffect[], committedAt: Date): Promise<void> {
    if (this.appender === undefined) return;
    try {
      await this.appender.append({ effects, committedAt });
    } catch (err) {
      this.#appendFailures += 1;
      this.settings.log.error(
        { dir: this.dir, err: String(err) },
        "the write is committed but could not be added to the shared write log; other replicas show it after the next publication",
      );
    }
  }

  /** Reads the others' segments now, unless a read is going; never rejects. */
  poll(): Promise<void> {
    this.#running ??= this.#poll()
      .catch((err: unknown) => this.#problem(`reading the shared write log failed: ${String(err)}`))
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  /** Stops tailing and closes this process's open segment. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
    await this.appender?.close();
  }

  async #poll(): Promise<void> {
    const { entries, skipped } = await this.tailer.read();
    for (const reason of skipped)
      this.#problem(`a line of the shared write log is skipped: ${reason}`);
    const served = this.settings.servedThrough()?.getTime() ?? Number.NEGATIVE_INFINITY;
    let learnt = 0;
    for (const entry of entries) {
      if (entry.committedAt.getTime() <= served) continue;
      for (const e of entry.effects) {
        this.settings.overlay.learn(e.table, e.key, e.row, entry.committedAt, e.owners);
      }
      learnt += 1;
    }
    if (learnt > 0) {
      this.#applied += learnt;
      this.#lastAppliedAt = new Date();
      this.settings.onForeignWrite();
    }
    const published = this.settings.publishedThrough();
    await this.appender?.cleanUp(published, this.settings.graceMs);
    if (this.settings.sweepsOthers && published !== undefined) await this.#sweep(published);
  }

  /**
   * Removes segments of writers that are gone (a replica that crashed or was scaled down): a
   * segment a publication holds whose file has not changed for twice the grace period. A live
   * writer seals such a segment within a poll and never appends to it again.
   */
  async #sweep(published: Date): Promise<void> {
    for (const [name, seen] of this.tailer.seen) {
      if (seen.lastCommittedMs > published.getTime()) continue;
      const path = join(this.dir, name);
      const mtimeMs = await stat(path).then(
        (s) => s.mtimeMs,
        () => Date.now(),
      );
      if (Date.now() - mtimeMs < 2 * this.settings.graceMs) continue;
      await rm(path, { force: true });
      this.tailer.forget(name);
      this.settings.log.info({ segment: name }, "removed a write log segment its writer left");
    }
  }

  #problem(reason: string): void {
    if (reason !== this.#lastProblem) this.settings.log.warn({ dir: this.dir }, reason);
    this.#lastProblem = reason;
  }
}

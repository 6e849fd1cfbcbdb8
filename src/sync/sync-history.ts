import { mkdir, readFile, rename } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileDurably } from "../snapshot/durable-write.js";
import type { SyncRunRecord, SyncState, SyncTrigger } from "./sync-status.js";

/** The record's form on disk: dates as ISO text. */
interface StoredRun {
  runId: string;
  trigger: SyncTrigger;
  force: boolean;
  state: SyncState;
  startedAt: string;
  finishedAt: string | null;
  message: string;
  tables: SyncRunRecord["tables"];
  dropped: SyncRunRecord["dropped"];
  errorKind?: string;
}

const STATES: readonly SyncState[] = ["running", "succeeded", "failed", "skipped"];

/**
 * The last runs' records in `DATA_DIR/sync-history.json`, rewritten (temporary file, fsync,
 * rename) whenever a run starts or ends, so that after a crash GetSyncStatus still shows the
 * run the crash interrupted. A run found "running" when the file is read again was cut off by
 * the process ending: it is reported as failed, saying so. An unreadable file is set aside and
 * the history starts empty; it is a report, never a reason not to start.
 */
export class SyncHistory {
  #writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    readonly length: number,
  ) {}

  /** The stored runs, newest first; interrupted ones marked failed. */
  async load(): Promise<SyncRunRecord[]> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch {
      return [];
    }
    let stored: unknown;
    try {
      stored = JSON.parse(text);
    } catch {
      await rename(this.path, `${this.path}.unreadable`).catch(() => undefined);
      return [];
    }
    if (!Array.isArray(stored)) return [];
    return stored.flatMap((item) => {
      const run = revive(item);
      return run === undefined ? [] : [run];
    });
  }

  /** Writes `runs` (newest first, cut to the configured length); writes never overlap. */
  save(runs: readonly SyncRunRecord[]): Promise<void> {
    const text = JSON.stringify(runs.slice(0, this.length).map(stored), null, 1);
    this.#writing = this.#writing.then(() => this.#write(text)).catch(() => undefined);
    return this.#writing;
  }

  async #write(text: string): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await writeFileDurably(this.path, text);
  }
}

function stored(run: SyncRunRecord): StoredRun {
  return {
    runId: run.runId,
    trigger: run.trigger,
    force: run.options.force === true,
    state: run.state,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    message: run.message,
    tables: run.tables,
    dropped: run.dropped,
    errorKind: run.errorKind,
  };
}

function revive(item: unknown): SyncRunRecord | undefined {
  if (typeof item !== "object" || item === null) return undefined;
  const r = item as Partial<StoredRun>;
  if (typeof r.runId !== "string" || typeof r.startedAt !== "string") return undefined;
  if (r.state === undefined || !STATES.includes(r.state)) return undefined;
  const startedAt = new Date(r.startedAt);
  if (Number.isNaN(startedAt.getTime())) return undefined;
  const interrupted = r.state === "running";
  return {
    runId: r.runId,
    trigger: r.trigger ?? "startup",
    options: { force: r.force === true },
    state: interrupted ? "failed" : r.state,
    startedAt,
    finishedAt: typeof r.finishedAt === "string" ? new Date(r.finishedAt) : undefined,
    message: interrupted
      ? "interrupted: the service stopped (a crash or a kill) while this run was going"
      : String(r.message ?? ""),
    tables: Array.isArray(r.tables) ? r.tables : [],
    errorKind: interrupted ? "internal" : String(r.errorKind ?? ""),
    dropped: Array.isArray(r.dropped) ? r.dropped : [],
  };
}

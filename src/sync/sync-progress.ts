import { EventEmitter, on } from "node:events";
import type { BuildProgress } from "../snapshot/snapshot-build.js";
import type { SyncState } from "./sync-status.js";

/** The step a run is in, as WatchSync reports it. */
export type SyncPhase = "idle" | "check" | "load" | "validate" | "derive" | "swap" | "done";

/** One progress event: enough for a client to draw a progress bar and a caption. */
export interface SyncProgressEvent {
  readonly runId: string;
  readonly state: SyncState | "none";
  readonly phase: SyncPhase;
  readonly table: string;
  readonly rows: number;
  readonly totalRows: number;
  /** A table fetched as files (bulk unload): bytes and files downloaded so far, of how many. */
  readonly bytes: number;
  readonly totalBytes: number;
  readonly files: number;
  readonly totalFiles: number;
  readonly fractionDone: number;
  readonly message: string;
}

/** Where each phase starts on the 0–1 scale; loading the base tables dominates a sync. */
const PHASE_START: Readonly<Record<SyncPhase, number>> = {
  idle: 0,
  check: 0,
  load: 0.05,
  validate: 0.8,
  derive: 0.85,
  swap: 0.97,
  done: 1,
};
const BASE_TABLES_COUNT = 3;

/** An event with nothing counted yet: where the service starts and where every run begins. */
const NOTHING_YET = {
  runId: "",
  table: "",
  rows: 0,
  totalRows: 0,
  bytes: 0,
  totalBytes: 0,
  files: 0,
  totalFiles: 0,
  fractionDone: 0,
  message: "",
} as const;

/**
 * The latest progress of the running (or last) sync, and a stream of changes for WatchSync. It
 * turns the builder's per-table row counts into one fraction, so every client shows the same
 * bar.
 */
export class SyncProgress {
  #current: SyncProgressEvent = { ...NOTHING_YET, state: "none", phase: "idle" };
  #tablesDone = 0;
  readonly #events = new EventEmitter().setMaxListeners(0);

  /** The latest event. */
  get current(): SyncProgressEvent {
    return this.#current;
  }

  /** A run has started. */
  begin(runId: string): void {
    this.#tablesDone = 0;
    this.#emit({ ...NOTHING_YET, runId, state: "running", phase: "check" });
  }

  /** Translates a builder event. */
  build(progress: BuildProgress): void {
    const phase: SyncPhase = progress.phase === "finish" ? "swap" : progress.phase;
    let fraction = PHASE_START[phase];
    if (phase === "load") {
      const share = (PHASE_START.validate - PHASE_START.load) / BASE_TABLES_COUNT;
      // A bulk table's rows arrive all at once after its download, which is most of its time.
      const fetched = progress.files;
      const within =
        fetched !== undefined && fetched.totalBytes > 0
          ? 0.9 * Math.min(1, fetched.bytes / fetched.totalBytes)
          : progress.total !== undefined && progress.total > 0
            ? Math.min(1, (progress.rows ?? 0) / progress.total)
            : 0;
      fraction += share * (this.#tablesDone + within);
      if (progress.done === true) this.#tablesDone++;
    }
    this.#emit({
      ...this.#current,
      phase,
      table: progress.table ?? "",
      rows: progress.rows ?? 0,
      totalRows: progress.total ?? 0,
      bytes: progress.files?.bytes ?? 0,
      totalBytes: progress.files?.totalBytes ?? 0,
      files: progress.files?.files ?? 0,
      totalFiles: progress.files?.totalFiles ?? 0,
      fractionDone: Math.max(this.#current.fractionDone, fraction),
    });
  }

  /** The run has ended. */
  end(state: Exclude<SyncState, "running">, message: string): void {
    this.#emit({ ...this.#current, state, phase: "done", table: "", fractionDone: 1, message });
  }

  /** Yields the latest event, then each new one, until `signal` aborts. */
  async *watch(signal: AbortSignal): AsyncGenerator<SyncProgressEvent> {
    const events = on(this.#events, "progress", { signal });
    yield this.#current;
    try {
      for await (const [event] of events) yield event as SyncProgressEvent;
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }

  #emit(event: SyncProgressEvent): void {
    this.#current = event;
    this.#events.emit("progress", event);
  }
}

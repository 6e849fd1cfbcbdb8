/**
 * Sync and restart measurements: a service process started on an empty data directory syncs at
 * once; its wall time, per-table build times and peak RSS come from GetSyncStatus and /proc.
 * A restart on the same directory serves the snapshot on disk; the time to /readyz is timed.
 *
 * @module
 */

import { sleep } from "./processes.js";
import { type ServiceProcess, servicePeakRss, spawnService } from "./service-process.js";

/** One table's load or build, as GetSyncStatus reports it. */
export interface TableTiming {
  readonly table: string;
  readonly rows: number;
  readonly durationMs: number;
}

/** A full sync, measured. */
export interface SyncResult {
  readonly label: string;
  readonly state: string;
  readonly message: string;
  /** From spawning the process to /readyz 200 (process start, driver import, sync, swap). */
  readonly spawnToReadyMs: number;
  /** The sync run itself: its startedAt to finishedAt. */
  readonly runMs: number;
  /** Rows of the three base tables. */
  readonly baseRows: number;
  /** baseRows / runMs. */
  readonly rowsPerSecond: number;
  readonly peakRssBytes: number;
  readonly tables: readonly TableTiming[];
}

interface SyncRunJson {
  readonly state?: string;
  readonly message?: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly tables?: readonly { table?: string; rows?: string; durationMs?: number }[];
}

/**
 * The label of the sync through the real driver (the one the sync targets apply to): the
 * default `SYNC_BULK=auto`, so the big tables go through a stage as Parquet.
 */
export const DRIVER_SYNC = "emulator via snowflake-sdk (bulk unload)";

/** The label of the sync from the data set's Parquet files. */
export const LOCAL_SYNC = "local Parquet";

const BASE_TABLES = new Set(["customers", "products", "customer_products"]);

/** The service's last sync run, over Connect JSON. */
export async function lastSyncRun(baseUrl: string): Promise<SyncRunJson | undefined> {
  const res = await fetch(`${baseUrl}/customeranalytics.v1.SyncService/GetSyncStatus`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`GetSyncStatus answered HTTP ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { lastRun?: SyncRunJson }).lastRun;
}

/** Waits (bounded: 10 s) until the last run has finished, and returns it. */
async function finishedRun(baseUrl: string): Promise<SyncRunJson> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const run = await lastSyncRun(baseUrl);
    if (run?.finishedAt !== undefined) return run;
    await sleep(100);
  }
  throw new Error("the sync run did not report its end within 10 s of readiness");
}

/**
 * Starts the service on an empty data directory with `env` and measures its first sync. The
 * service is left running for the caller (who stops it).
 */
export async function measureSync(
  label: string,
  env: Record<string, string>,
  limitMs: number,
): Promise<{ result: SyncResult; service: ServiceProcess }> {
  const service = await spawnService(env, limitMs, async (baseUrl) => {
    const run = await lastSyncRun(baseUrl);
    if (run?.state === "SYNC_STATE_FAILED") {
      throw new Error(`${label}: the first sync failed: ${run.message ?? ""}`);
    }
  });
  const run = await finishedRun(service.baseUrl);
  const runMs = Date.parse(run.finishedAt ?? "") - Date.parse(run.startedAt ?? "");
  const tables = (run.tables ?? []).map((t) => ({
    table: t.table ?? "",
    rows: Number(t.rows ?? 0),
    durationMs: t.durationMs ?? 0,
  }));
  const baseRows = tables.filter((t) => BASE_TABLES.has(t.table)).reduce((n, t) => n + t.rows, 0);
  return {
    service,
    result: {
      label,
      state: run.state ?? "",
      message: run.message ?? "",
      spawnToReadyMs: service.readyMs,
      runMs,
      baseRows,
      rowsPerSecond: runMs > 0 ? (baseRows * 1000) / runMs : 0,
      peakRssBytes: servicePeakRss(service),
      tables,
    },
  };
}

/** Restarts, measured: each spawn-to-ready, and the state of the start-up check that followed. */
export interface RestartResult {
  readonly readyMs: readonly number[];
  readonly medianMs: number;
  readonly maxMs: number;
  /** The last restart's start-up sync (expected SKIPPED: the source has not changed). */
  readonly startupSyncState: string;
  /**
   * From the last restart's readiness to its in-memory customer index being built (its log
   * line seen; polled every 100 ms), during which lookups are answered by SQL; undefined if it
   * never said so.
   */
  readonly indexBuildMs: number | undefined;
}

/** The service's log line once a snapshot's customer index is in memory, with its build time. */
const INDEX_BUILT = /"memo":"customer index","ms":(\d+),"msg":"built in memory"/;

/**
 * Waits up to `limitMs` for {@link INDEX_BUILT} in the service's output; the time from `readyAt`
 * (the service's readiness, a `performance.now()`) to seeing it. The customer index waits for
 * the structures it reads, so its own build time would not say when lookups left SQL.
 */
async function waitForIndex(
  service: ServiceProcess,
  readyAt: number,
  limitMs: number,
): Promise<number | undefined> {
  while (performance.now() - readyAt < limitMs) {
    if (INDEX_BUILT.test(service.child.output())) return performance.now() - readyAt;
    await sleep(100);
  }
  return undefined;
}

/**
 * Stops `service` and starts it again on the same data directory `times` times, timing each
 * spawn to /readyz 200. Returns the last instance, still running, for the RPC measurements,
 * once its in-memory customer index is built (so lookups are measured as they are served in
 * steady state; the wait is reported).
 */
export async function measureRestarts(
  service: ServiceProcess,
  env: Record<string, string>,
  times: number,
): Promise<{ result: RestartResult; service: ServiceProcess; readyAt: number }> {
  let current = service;
  let readyAt = performance.now();
  const readyMs: number[] = [];
  for (let k = 0; k < times; k++) {
    await current.child.stop();
    current = await spawnService(env, 60_000);
    readyAt = performance.now();
    readyMs.push(current.readyMs);
  }
  const run = await finishedRun(current.baseUrl);
  const indexBuildMs = await waitForIndex(current, readyAt, 300_000);
  const sorted = [...readyMs].sort((a, b) => a - b);
  return {
    service: current,
    readyAt,
    result: {
      readyMs,
      medianMs: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN,
      maxMs: sorted.at(-1) ?? Number.NaN,
      startupSyncState: run.state ?? "",
      indexBuildMs,
    },
  };
}

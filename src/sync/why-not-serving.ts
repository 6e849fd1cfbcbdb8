import type { SnapshotStore } from "../snapshot/snapshot-store.js";
import type { SyncStatus } from "./sync-status.js";

/**
 * Why no snapshot answers, in one sentence for `/readyz`, RPC errors and the log: a snapshot
 * refused (another source's, or found corrupt), the first sync still running, or the first
 * sync failing with its error and when the next try is. Saying "retry once the first sync has
 * finished" while every sync fails would send a caller to wait for nothing.
 */
export function whyNotServing(
  store: Pick<SnapshotStore, "notServing">,
  status: Pick<SyncStatus, "lastRun" | "nextRunAt">,
): string {
  const refused = store.notServing;
  const run = status.lastRun;
  const next =
    status.nextRunAt === undefined
      ? "no retry is scheduled; TriggerSync starts one"
      : `the next try is at ${status.nextRunAt.toISOString()}`;
  if (run?.state === "failed") {
    const when = (run.finishedAt ?? run.startedAt).toISOString();
    const failed = `the last sync failed at ${when}: ${run.message}; ${next}`;
    return refused === undefined ? `no snapshot is loaded: ${failed}` : `${refused}; ${failed}`;
  }
  if (refused !== undefined) return refused;
  if (run?.state === "running") {
    return `no snapshot is loaded yet: the first sync is running since ${run.startedAt.toISOString()}`;
  }
  return "no snapshot is loaded yet";
}

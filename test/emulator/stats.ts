/**
 * The emulator's counters (`GET /__emulator/stats`).
 *
 * @module
 */
import type { EmulatorStats } from "./types.js";

/** A fresh, all-zero set of counters. */
export function emptyStats(): EmulatorStats {
  return {
    requests: 0,
    byRoute: {},
    logins: { succeeded: 0, failed: 0 },
    tokenRenewals: 0,
    heartbeats: 0,
    sessionsClosed: 0,
    queries: {
      received: 0,
      succeeded: 0,
      failed: 0,
      canceled: 0,
      inProgressReplies: 0,
      resultPolls: 0,
      deduplicated: 0,
      byKind: {},
    },
    chunks: { served: 0, dropped: 0, failed: 0, bytes: 0 },
    faults: {},
    timeTravelReads: 0,
    timeTravelReadsByTable: {},
    adminStatements: 0,
    stageFilesWritten: 0,
    stageFilesRemoved: 0,
    stageDownloadsOffered: 0,
    stageDownloads: { served: 0, failed: 0, truncated: 0, bytes: 0 },
  };
}

/** Adds one to `counts[key]`. */
export function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** A deep copy, so callers cannot change the live counters. */
export function copyStats(stats: EmulatorStats): EmulatorStats {
  return structuredClone(stats);
}

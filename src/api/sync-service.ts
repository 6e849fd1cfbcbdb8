import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  type SnapshotInfoSchema,
  type SyncRunSchema,
  type SyncService,
  SyncState,
} from "../../gen/customeranalytics/v1/sync_pb.js";
import type { SnapshotInfo } from "../snapshot/snapshot.js";
import type { SyncRunRecord, SyncStatus } from "../sync/sync-status.js";

const stateOf: Readonly<Record<SyncRunRecord["state"], SyncState>> = {
  running: SyncState.RUNNING,
  succeeded: SyncState.SUCCEEDED,
  failed: SyncState.FAILED,
  skipped: SyncState.SKIPPED,
};

/** What SyncService reads: the live snapshot, the run history and the configured source. */
export interface SyncView {
  readonly live: () => SnapshotInfo | undefined;
  readonly status: SyncStatus;
  readonly source: string;
}

/** SyncService: the syncer's and the snapshot store's state as messages. */
export function syncService(view: SyncView): ServiceImpl<typeof SyncService> {
  return {
    getSyncStatus() {
      const live = view.live();
      const { lastRun, lastFailedRun, nextRunAt } = view.status;
      return {
        source: view.source,
        ...(live === undefined ? {} : { liveSnapshot: snapshotInfo(live) }),
        ...(lastRun === undefined ? {} : { lastRun: syncRun(lastRun) }),
        ...(lastFailedRun === undefined ? {} : { lastFailedRun: syncRun(lastFailedRun) }),
        ...(nextRunAt === undefined ? {} : { nextRunAt: timestampFromDate(nextRunAt) }),
      };
    },
  };
}

/** A snapshot's description as a message (also used by ListSnapshots). */
export function snapshotInfo(info: SnapshotInfo): MessageInitShape<typeof SnapshotInfoSchema> {
  return {
    snapshotId: info.id,
    source: info.source,
    startedAt: timestampFromDate(info.startedAt),
    finishedAt: timestampFromDate(info.finishedAt),
    dataAsOf: timestampFromDate(info.dataAsOf),
    tables: info.tables.map((t) => ({ table: t.table, rows: BigInt(t.rows) })),
  };
}

function syncRun(run: SyncRunRecord): MessageInitShape<typeof SyncRunSchema> {
  return {
    runId: run.runId,
    trigger: run.trigger,
    state: stateOf[run.state],
    startedAt: timestampFromDate(run.startedAt),
    ...(run.finishedAt === undefined ? {} : { finishedAt: timestampFromDate(run.finishedAt) }),
    message: run.message,
    tables: run.tables.map((t) => ({
      table: t.table,
      rows: BigInt(t.rows),
      durationMs: t.durationMs,
    })),
    dropped: run.dropped.map((d) => ({ reason: d.reason, rows: BigInt(d.rows) })),
  };
}

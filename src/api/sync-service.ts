import type { MessageInitShape } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  type PublicationStatusSchema,
  type SnapshotInfoSchema,
  SyncPhase,
  type SyncProgressSchema,
  type SyncRunSchema,
  type SyncService,
  SyncState,
} from "../../gen/customeranalytics/v1/sync_pb.js";
import type { PublicationView } from "../publish/scale-out.js";
import type { SnapshotInfo } from "../snapshot/snapshot.js";
import type { SnapshotStore } from "../snapshot/snapshot-store.js";
import type { SyncProgressEvent } from "../sync/sync-progress.js";
import type { SyncRunRecord } from "../sync/sync-status.js";
import type { Syncer } from "../sync/syncer.js";

const stateOf: Readonly<Record<SyncProgressEvent["state"], SyncState>> = {
  none: SyncState.UNSPECIFIED,
  running: SyncState.RUNNING,
  succeeded: SyncState.SUCCEEDED,
  failed: SyncState.FAILED,
  skipped: SyncState.SKIPPED,
};

const phaseOf: Readonly<Record<SyncProgressEvent["phase"], SyncPhase>> = {
  idle: SyncPhase.UNSPECIFIED,
  check: SyncPhase.CHECK,
  load: SyncPhase.LOAD,
  validate: SyncPhase.VALIDATE,
  derive: SyncPhase.DERIVE,
  swap: SyncPhase.SWAP,
  done: SyncPhase.DONE,
};

/** What SyncService reads and drives: the snapshot store, the syncer and the source's name. */
export interface SyncView {
  readonly store: Pick<SnapshotStore, "live" | "snapshots"> & Partial<Pick<SnapshotStore, "read">>;
  readonly syncer: Pick<Syncer, "status" | "progress" | "trigger" | "currentStatement">;
  readonly source: string;
  /** The configured source's identity (see `sourceIdentity`). */
  readonly sourceIdentity?: string;
  /** ROLE of this process; "all" when absent. */
  readonly role?: string;
  /** The publications this process wrote or follows; absent or undefined for ROLE=all. */
  readonly publication?: () => PublicationView | undefined;
}

/** SyncService: the syncer's and the snapshot store's state as messages, and a way to sync now. */
export function syncService(view: SyncView): ServiceImpl<typeof SyncService> {
  return {
    async getSyncStatus() {
      const live = view.store.live;
      const structures = (await view.store.read?.(async (db) => db.memo.structures()))?.value;
      const { lastRun, lastFailedRun, nextRunAt, recentRuns } = view.syncer.status;
      const statement = view.syncer.currentStatement();
      const running = (run: SyncRunRecord) => ({
        ...syncRun(run),
        ...(run.state !== "running" || statement === undefined
          ? {}
          : {
              currentStatement: statement.what,
              currentStatementElapsed: durationFromMs(Date.now() - statement.startedAt.getTime()),
            }),
      });
      return {
        source: view.source,
        sourceIdentity: view.sourceIdentity ?? "",
        recentRuns: recentRuns.map(running),
        memoryStructures: (structures ?? []).map((m) => ({
          name: m.name,
          state: m.state,
          bytes: BigInt(m.bytes),
          ...(m.state === "building" ? {} : { buildTime: durationFromMs(Math.round(m.buildMs)) }),
        })),
        ...(live === undefined ? {} : { liveSnapshot: snapshotInfo(live) }),
        ...(lastRun === undefined ? {} : { lastRun: running(lastRun) }),
        ...(lastFailedRun === undefined ? {} : { lastFailedRun: syncRun(lastFailedRun) }),
        ...(nextRunAt === undefined ? {} : { nextRunAt: timestampFromDate(nextRunAt) }),
        role: view.role ?? "all",
        ...(live === undefined
          ? {}
          : { liveSnapshotAge: durationFromMs(Math.max(0, Date.now() - live.dataAsOf.getTime())) }),
        ...publicationStatus(view.publication?.()),
      };
    },
    triggerSync(req) {
      const { run, joined } = view.syncer.trigger("request", {
        force: req.force,
        allowShrink: req.allowShrink,
      });
      return { run: syncRun(run), joined };
    },
    async *watchSync(_req, ctx) {
      for await (const event of view.syncer.progress.watch(ctx.signal)) {
        yield { progress: progress(event) };
      }
    },
    listSnapshots() {
      return {
        snapshots: view.store.snapshots().map(({ info, retiredAt }) => ({
          snapshot: snapshotInfo(info),
          live: retiredAt === undefined,
          ...(retiredAt === undefined ? {} : { retiredAt: timestampFromDate(retiredAt) }),
        })),
      };
    },
  };
}

/** The `publication` field, or nothing for a process that neither publishes nor follows. */
function publicationStatus(facts: PublicationView | undefined): {
  publication?: MessageInitShape<typeof PublicationStatusSchema>;
} {
  if (facts === undefined) return {};
  const at = (date: Date | undefined) => (date === undefined ? undefined : timestampFromDate(date));
  return {
    publication: {
      latestSnapshotId: facts.latestId,
      latestPublishedAt: at(facts.latestPublishedAt),
      servingSnapshotId: facts.servingId,
      publicationLag:
        facts.lagMs === undefined ? undefined : durationFromMs(Math.max(0, facts.lagMs)),
      lastRefusal: facts.lastRefusal,
      checkedAt: at(facts.checkedAt),
    },
  };
}

/** A snapshot's description as a message. */
function snapshotInfo(info: SnapshotInfo): MessageInitShape<typeof SnapshotInfoSchema> {
  return {
    snapshotId: info.id,
    source: info.source,
    sourceIdentity: info.sourceIdentity,
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
    force: run.options.force === true,
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
    ...(run.blocked === undefined
      ? {}
      : { blocked: { ...run.blocked, rows: BigInt(run.blocked.rows) } }),
  };
}

function progress(event: SyncProgressEvent): MessageInitShape<typeof SyncProgressSchema> {
  return {
    runId: event.runId,
    state: stateOf[event.state],
    phase: phaseOf[event.phase],
    table: event.table,
    rows: BigInt(event.rows),
    totalRows: BigInt(event.totalRows),
    bytes: BigInt(event.bytes),
    totalBytes: BigInt(event.totalBytes),
    files: event.files,
    totalFiles: event.totalFiles,
    fractionDone: event.fractionDone,
    message: event.message,
  };
}

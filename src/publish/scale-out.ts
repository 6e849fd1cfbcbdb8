import type { Logger } from "pino";
import type { ProcessRole, ScaleOutSettings } from "../config.js";
import type { SnapshotStore } from "../snapshot/snapshot-store.js";
import type { Syncer } from "../sync/syncer.js";
import { Publisher } from "./publisher.js";
import { ReplicaFollower } from "./replica-follower.js";

/**
 * The publications as one process sees them, for GetSyncStatus, /readyz and /metrics; the one
 * shape SyncService reports too, so the status message and the gauges cannot drift apart.
 */
export interface PublicationView {
  readonly latestId: string;
  readonly latestPublishedAt: Date | undefined;
  /** The newest publication's data time: the write log's segments it holds may go. */
  readonly latestDataAsOf: Date | undefined;
  readonly servingId: string;
  /** From the served publication's publish time to serving it here (replicas only). */
  readonly lagMs: number | undefined;
  readonly lastRefusal: string;
  readonly checkedAt: Date | undefined;
}

/**
 * What ROLE changes in a running process: a syncer publishes after every sync that leaves a
 * snapshot live, a replica follows the publications instead of syncing, `all` does neither.
 */
export interface ScaleOut {
  readonly role: ProcessRole;
  /** Undefined for ROLE=all, which neither publishes nor follows. */
  publication(): PublicationView | undefined;
  /** A replica's reason for serving nothing yet; undefined when the role syncs for itself. */
  whyNotServing(): string | undefined;
  /** Stops watching or publishing; a copy or publication in progress is waited for. */
  stop(): Promise<void>;
}

/**
 * Starts the role's part: for a syncer, publishes the snapshot already live (a restarted
 * syncer's, unless the manifest names it) and every one a sync leaves live afterwards; for a
 * replica, removes unfinished copies and starts following the manifest in the background.
 */
export async function startScaleOut(
  settings: ScaleOutSettings,
  store: SnapshotStore,
  syncer: Pick<Syncer, "onRunEnd">,
  log: Logger,
): Promise<ScaleOut> {
  const { role, publishDir } = settings;
  if (role === "all" || publishDir === undefined) {
    return {
      role: "all",
      publication: () => undefined,
      whyNotServing: () => undefined,
      stop: async () => {},
    };
  }
  if (role === "syncer") return startPublishing(publishDir, store, syncer, log);
  const follower = new ReplicaFollower(publishDir, store, settings.publishPollMs, log);
  store.onCorrupt(() => follower.check());
  await follower.start();
  return {
    role,
    publication() {
      const { latest, serving, lastRefusal, checkedAt } = follower.state;
      return {
        latestId: latest?.snapshotId ?? "",
        latestPublishedAt: latest?.publishedAt,
        latestDataAsOf: latest?.dataAsOf,
        servingId: store.live === undefined ? "" : (serving?.manifest.snapshotId ?? ""),
        lagMs:
          serving === undefined
            ? undefined
            : serving.servedAt.getTime() - serving.manifest.publishedAt.getTime(),
        lastRefusal,
        checkedAt,
      };
    },
    whyNotServing() {
      const { latest, lastRefusal } = follower.state;
      const waiting =
        latest === undefined
          ? `no publication in ${publishDir} yet: this replica serves once the syncer publishes`
          : `publication ${latest.snapshotId} is being copied`;
      return lastRefusal === "" ? waiting : `${waiting}; ${lastRefusal}`;
    },
    stop: () => follower.stop(),
  };
}

async function startPublishing(
  dir: string,
  store: SnapshotStore,
  syncer: Pick<Syncer, "onRunEnd">,
  log: Logger,
): Promise<ScaleOut> {
  const publisher = new Publisher(dir, store.files, log);
  await publisher.start();
  let pending: Promise<unknown> = Promise.resolve();
  let checkedAt: Date | undefined;
  const publishLive = () => {
    const live = store.live;
    if (live === undefined) return;
    pending = publisher.publish(live).then(() => {
      checkedAt = new Date();
    });
  };
  publishLive();
  syncer.onRunEnd((run) => {
    if (run.state === "succeeded" || run.state === "skipped") publishLive();
  });
  return {
    role: "syncer",
    publication() {
      const last = publisher.last;
      return {
        latestId: last?.snapshotId ?? "",
        latestPublishedAt: last?.publishedAt,
        latestDataAsOf: last?.dataAsOf,
        servingId: store.live?.id ?? "",
        lagMs: undefined,
        lastRefusal: "",
        checkedAt,
      };
    },
    whyNotServing: () => undefined,
    stop: async () => {
      await pending;
    },
  };
}

/** The /readyz line of a syncer or replica: its role, the snapshot it serves, and its age. */
export function readyDetail(role: string, store: SnapshotStore, scaleOut: ScaleOut): string {
  const live = store.live;
  const publication = scaleOut.publication();
  const parts = [`role=${role}`];
  if (live !== undefined) {
    parts.push(`snapshot=${live.id}`);
    parts.push(`age=${Math.max(0, Math.round((Date.now() - live.dataAsOf.getTime()) / 1000))}s`);
  }
  if (publication !== undefined && publication.latestId !== "") {
    parts.push(`published=${publication.latestId}`);
  }
  if (publication?.lagMs !== undefined) parts.push(`lag=${Math.round(publication.lagMs)}ms`);
  return parts.join(" ");
}

import { Gauge, type Registry } from "prom-client";
import type { WriteLogStats } from "../publish/shared-write-log.js";

const PREFIX = "customer_analytics_";

/** What the scale-out gauges read at scrape time. */
export interface ScaleOutReadings {
  /** ROLE of this process. */
  readonly role: string;
  /** The live snapshot's id; "" when none is loaded. */
  readonly snapshotId: string;
  /** From the served publication's publish time to serving it here, in ms (replicas only). */
  readonly publicationLagMs: number | undefined;
  /** When the newest publication the manifest names was made (syncers and replicas). */
  readonly latestPublishedAt: Date | undefined;
  /** The shared write log's counts (syncers and replicas). */
  readonly writeLog: WriteLogStats | undefined;
}

/**
 * Registers the gauges that tell replicas apart on a dashboard: the role, which snapshot each
 * process serves (one series per process, its label replaced at every scrape, so the
 * cardinality stays one), the lag from a publication to serving it, and how long ago the
 * newest publication was made (growing while the syncer is down), and what the shared write
 * log applied from other processes and failed to append.
 */
export function scaleOutGauges(registry: Registry, read: () => ScaleOutReadings): void {
  const registers = [registry];
  new Gauge({
    name: `${PREFIX}role`,
    help: "1, labelled with this process's ROLE (all, syncer, replica).",
    labelNames: ["role"],
    registers,
    collect() {
      this.reset();
      this.set({ role: read().role }, 1);
    },
  });
  new Gauge({
    name: `${PREFIX}snapshot_served`,
    help: "1, labelled with the id of the snapshot this process serves; absent when none is loaded.",
    labelNames: ["snapshot"],
    registers,
    collect() {
      this.reset();
      const { snapshotId } = read();
      if (snapshotId !== "") this.set({ snapshot: snapshotId }, 1);
    },
  });
  optionalGauge(
    registers,
    "write_log_applied",
    "Writes of other processes applied from the shared write log (syncers and replicas).",
    () => read().writeLog?.applied,
  );
  optionalGauge(
    registers,
    "write_log_append_failures",
    "Writes of this process whose line could not be added to the shared write log.",
    () => read().writeLog?.appendFailures,
  );
  optionalGauge(
    registers,
    "write_log_last_applied_age_seconds",
    "Seconds since a write of another process was last applied from the shared write log.",
    () => {
      const at = read().writeLog?.lastAppliedAt;
      return at === undefined ? undefined : (Date.now() - at.getTime()) / 1000;
    },
  );
  optionalGauge(
    registers,
    "publication_lag_seconds",
    "Replicas: seconds from the served publication being published to this process serving it.",
    () => {
      const lag = read().publicationLagMs;
      return lag === undefined ? undefined : lag / 1000;
    },
  );
  optionalGauge(
    registers,
    "publication_age_seconds",
    "Seconds since the newest publication in PUBLISH_DIR was made; grows while the syncer is down.",
    () => {
      const at = read().latestPublishedAt;
      return at === undefined ? undefined : (Date.now() - at.getTime()) / 1000;
    },
  );
}

/**
 * An unlabelled gauge read at scrape time that is absent while `value` has none, so a
 * dashboard sees "no data" rather than a stale or zero lag (or a zero count on ROLE=all);
 * the publication and write log gauges share it.
 */
function optionalGauge(
  registers: Registry[],
  name: string,
  help: string,
  value: () => number | undefined,
): void {
  new Gauge({
    name: `${PREFIX}${name}`,
    help,
    registers,
    collect() {
      this.reset();
      const now = value();
      if (now !== undefined) this.set(now);
    },
  });
}

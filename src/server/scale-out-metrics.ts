import { Gauge, type Registry } from "prom-client";

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
}

/**
 * Registers the gauges that tell replicas apart on a dashboard: the role, which snapshot each
 * process serves (one series per process, its label replaced at every scrape, so the
 * cardinality stays one), the lag from a publication to serving it, and how long ago the
 * newest publication was made (growing while the syncer is down).
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
  new Gauge({
    name: `${PREFIX}publication_lag_seconds`,
    help: "Replicas: seconds from the served publication being published to this process serving it.",
    registers,
    collect() {
      this.reset();
      const lag = read().publicationLagMs;
      if (lag !== undefined) this.set(lag / 1000);
    },
  });
  new Gauge({
    name: `${PREFIX}publication_age_seconds`,
    help: "Seconds since the newest publication in PUBLISH_DIR was made; grows while the syncer is down.",
    registers,
    collect() {
      this.reset();
      const at = read().latestPublishedAt;
      if (at !== undefined) this.set((Date.now() - at.getTime()) / 1000);
    },
  });
}

/**
 * Scale-out at the benchmark's scale: one syncer publishes the snapshot the local sync built
 * into a shared directory, two replicas that were already waiting copy, check and serve it.
 * Measures, per replica, the time from the publication (the manifest's publish time) to serving
 * it, as the replica reports it in GetSyncStatus, and to its in-memory structures being built.
 *
 * @module
 */
import { mkdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { waitForStructures } from "./memory-structures.js";
import { sleep } from "./processes.js";
import { type ServiceProcess, spawnService } from "./service-process.js";

/** What one replica reported once it served the publication. */
export interface ReplicaFigure {
  readonly label: string;
  /** Publication to serving it (GetSyncStatus `publication.publicationLag`), ms. */
  readonly lagMs: number | undefined;
  /** Publication to its last in-memory structure built, ms (estimated from the polls). */
  readonly structuresMs: number | undefined;
}

/** The scale-out phase's figures. */
export interface PublicationResult {
  /** The published snapshot file's size, bytes. */
  readonly bytes: number;
  /** Syncer spawn to the manifest naming its snapshot (the syncer's copy and checksum), ms. */
  readonly publishMs: number;
  readonly replicas: readonly ReplicaFigure[];
  /** Publication to every replica serving it: the largest lag, ms. */
  readonly allServingMs: number | undefined;
}

interface StatusJson {
  readonly publication?: { readonly publicationLag?: string; readonly latestPublishedAt?: string };
}

/** GetSyncStatus over Connect JSON, as the dashboard asks it. */
async function status(baseUrl: string): Promise<StatusJson> {
  const response = await fetch(`${baseUrl}/customeranalytics.v1.SyncService/GetSyncStatus`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  return (await response.json()) as StatusJson;
}

/** Waits for the manifest to appear in `dir`; returns its parsed body. */
async function manifest(
  dir: string,
  limitMs: number,
): Promise<{ file: string; publishedAt: string }> {
  const began = performance.now();
  for (;;) {
    const text = await readFile(join(dir, "manifest.json"), "utf8").catch(() => undefined);
    if (text !== undefined) return JSON.parse(text) as { file: string; publishedAt: string };
    if (performance.now() - began > limitMs) throw new Error("no publication within the limit");
    await sleep(100);
  }
}

/**
 * Runs the phase: `sourceEnv` is the local sync's environment (its DATA_DIR already holds the
 * snapshot to publish); replicas get their own data directories under `workDir`.
 */
export async function measurePublication(
  sourceEnv: Readonly<Record<string, string>>,
  workDir: string,
  limitMs: number,
): Promise<PublicationResult> {
  const publishDir = join(workDir, "publish");
  await mkdir(publishDir, { recursive: true });
  const started: ServiceProcess[] = [];
  try {
    const replicas = ["replica a", "replica b"].map((label, i) =>
      spawnService(
        {
          ...sourceEnv,
          ROLE: "replica",
          PUBLISH_DIR: publishDir,
          PUBLISH_POLL: "1s",
          DATA_DIR: join(workDir, `replica-${i}`),
        },
        limitMs,
      ).then((service) => {
        started.push(service);
        return { label, service };
      }),
    );
    // The replicas are up and polling an empty directory before anything is published.
    await sleep(3_000);
    const spawned = performance.now();
    const syncer = await spawnService(
      { ...sourceEnv, ROLE: "syncer", PUBLISH_DIR: publishDir },
      limitMs,
    );
    started.push(syncer);
    const published = await manifest(publishDir, limitMs);
    const publishMs = performance.now() - spawned;
    const publishedAt = Date.parse(published.publishedAt);
    // Both replicas are watched at once, so each one's structures are timed when they finish.
    const figures = await Promise.all(
      (await Promise.all(replicas)).map(async ({ label, service }): Promise<ReplicaFigure> => {
        const lag = (await status(service.baseUrl)).publication?.publicationLag;
        const built = await waitForStructures(service.baseUrl, limitMs);
        return {
          label,
          lagMs: lag === undefined ? undefined : Number.parseFloat(lag) * 1000,
          structuresMs: built.structures.length === 0 ? undefined : Date.now() - publishedAt,
        };
      }),
    );
    const lags = figures.map((f) => f.lagMs).filter((n): n is number => n !== undefined);
    return {
      bytes: (await stat(join(publishDir, published.file))).size,
      publishMs,
      replicas: figures,
      allServingMs: lags.length === figures.length ? Math.max(...lags) : undefined,
    };
  } finally {
    await Promise.all(started.map((s) => s.child.stop()));
  }
}

/** The report's scale-out section (nothing when the phase did not run). */
export function renderPublication(r: PublicationResult | undefined): string[] {
  if (r === undefined) return [];
  const s = (value: number | undefined) =>
    value === undefined ? "not reported" : `${(value / 1000).toFixed(1)} s`;
  return [
    "## Scale-out: from a publication to every replica serving it",
    "",
    "Two replicas (ROLE=replica, PUBLISH_POLL=1s) wait on an empty shared directory; a syncer " +
      "(ROLE=syncer) starts on the local sync's data directory and publishes its snapshot " +
      `(${(r.bytes / 1024 ** 2).toFixed(0)} MiB) with its checksum. Each replica copies the file to ` +
      "its own data directory, checks the checksum, opens it and swaps it in; the lag is " +
      "GetSyncStatus's `publication.publication_lag` (publish time to serving), the second " +
      "figure when its in-memory structures were all built.",
    "",
    `The syncer's spawn to its manifest (copy and checksum included): ${s(r.publishMs)}. ` +
      `Publication to every replica serving it: **${s(r.allServingMs)}**.`,
    "",
    "| replica | publication → serving | publication → structures built |",
    "|---|---|---|",
    ...r.replicas.map((x) => `| ${x.label} | ${s(x.lagMs)} | ${s(x.structuresMs)} |`),
    "",
  ];
}

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "pino";
import { AppError } from "./app-error.js";
import { type Config, ConfigError } from "./config.js";
import { checkDataDirWritable } from "./data-dir-check.js";
import { readyDetail, startScaleOut } from "./publish/scale-out.js";
import { startScaleOutWrites } from "./publish/scale-out-writes.js";
import { PendingWrites } from "./query/pending-writes.js";
import { ReadRouter } from "./query/read-router.js";
import { warmSnapshot } from "./query/warm-snapshot.js";
import { Authenticator } from "./server/auth/authenticator.js";
import type { TlsFiles } from "./server/listen-tls.js";
import { Metrics } from "./server/metrics.js";
import { scaleOutGauges } from "./server/scale-out-metrics.js";
import { type Server, startServer } from "./server/server.js";
import { SnapshotStore } from "./snapshot/snapshot-store.js";
import { createSource } from "./source/create-source.js";
import { sourceIdentity } from "./source/source-identity.js";
import { deriveAll } from "./sync/derive-all.js";
import { SyncAfterWrites } from "./sync/sync-after-writes.js";
import { SyncHistory } from "./sync/sync-history.js";
import { SyncSchedule } from "./sync/sync-schedule.js";
import { type Derive, Syncer } from "./sync/syncer.js";
import { whyNotServing } from "./sync/why-not-serving.js";
import { Writes } from "./write/writes.js";

/** How long shutdown waits for an aborted sync to end before it leaves the run behind. */
const SYNC_ABORT_WAIT_MS = 2_000;

/** The running service, as start-up hands it to `main` and tests. */
export interface Service {
  readonly server: Server;
  readonly store: SnapshotStore;
  readonly syncer: Syncer;
  readonly metrics: Metrics;
  /**
   * Re-reads `API_KEYS_FILE` and `JWT_JWKS_FILE` (main calls it on SIGHUP). A file that fails
   * to load keeps its previous keys and the reason is logged; resolves with whether all loaded.
   */
  reloadCredentials(): Promise<boolean>;
  /**
   * Stops serving (in-flight calls finish within the grace period), aborts a sync in progress
   * (its partial file is removed), then closes the snapshot. A run waiting on the source (a
   * Snowflake query) cannot be interrupted: with `abandonSync` it is left behind after a short
   * wait and close resolves `"abandoned"` with the snapshot still open, so that a process being
   * stopped exits at once; the next start removes whatever that run left.
   */
  close(options?: { readonly abandonSync?: boolean }): Promise<"closed" | "abandoned">;
}

/**
 * Wires the layers in the order docs/architecture.md gives (snapshot store → source → syncer → server),
 * serves the snapshot on disk at once, and syncs in the background: a first sync when there
 * is no snapshot, otherwise a check that skips when the source has not changed.
 */
export async function startService(
  config: Config,
  log: Logger,
  derive: Derive | undefined = deriveAll,
): Promise<Service> {
  await checkDataDirWritable(config.dataDir);
  const auth = await Authenticator.create(config, log);
  const tls = await tlsFiles(config);
  const identity = sourceIdentity(config);
  const { role } = config.scaleOut;
  const replica = role === "replica";
  // A replica serves what the syncer built from the source it is configured with; its own
  // source settings only serve live reads, so they must not make it refuse its copies.
  const store = new SnapshotStore(config.dataDir, log, {
    ...(replica ? {} : { sourceIdentity: identity }),
    memo: { maxBytes: config.memoMaxBytes, maxAnswerBytes: config.memoMaxAnswerBytes },
    memoryMb: config.snapshotMemoryMb,
  });
  await store.openLast();
  const sweeping = sweepExports(store, config.exportLimits.sweepIntervalMs, log);
  const source = createSource(config, (message) => log.warn({ driver: "snowflake-sdk" }, message));
  const history = new SyncHistory(
    join(config.dataDir, "sync-history.json"),
    config.syncHistoryLength,
  );
  const syncer = new Syncer(source, store, log, derive, {
    sourceIdentity: identity,
    history,
    validation: { blocking: config.syncBlockingChecks, maxShrink: config.syncMaxShrink },
  });
  await syncer.restoreHistory();
  const liveStats = source.live?.stats;
  const metrics = new Metrics({
    snapshotDataAsOf: () => store.live?.dataAsOf,
    memoUsage: () => store.memoUsage(),
    ...(liveStats === undefined ? {} : { liveQueries: liveStats }),
  });
  syncer.onRunEnd((run) => metrics.syncRun(run));
  const scaleOut = await startScaleOut(config.scaleOut, store, syncer, log);
  const notServing = () => scaleOut.whyNotServing() ?? whyNotServing(store, syncer.status);
  const overlay = new PendingWrites();
  let previousDataAsOf = store.live?.dataAsOf;
  const afterWrites = new SyncAfterWrites(syncer, log, config.syncAfterWritesMs);
  const router = new ReadRouter(store, source.live, config.defaultMaxStalenessMs, Date.now, {
    whyNoSnapshot: notServing,
    pending: overlay,
    liveIdentity: identity,
    onLiveFault: (err) =>
      log.error({ err }, "live query failed; the caller was answered from the snapshot or refused"),
  });
  const shared = await startScaleOutWrites({
    settings: config.scaleOut,
    source,
    identity,
    overlay,
    scaleOut,
    servedThrough: () => store.live?.dataAsOf,
    pokeSync: () => afterWrites.poke(),
    log,
  });
  const writes = new Writes(shared.target, overlay, log, shared.afterWrite);
  scaleOutGauges(metrics.registry, () => {
    const publication = scaleOut.publication();
    return {
      role,
      snapshotId: store.live?.id ?? "",
      publicationLagMs: publication?.lagMs,
      latestPublishedAt: publication?.latestPublishedAt,
      writeLog: shared.stats(),
    };
  });
  const server = await startServer({
    log,
    router,
    writes,
    sync: {
      store,
      syncer: replica ? replicaSyncer(syncer) : syncer,
      source: source.kind,
      sourceIdentity: identity,
      role,
      publication: () => scaleOut.publication(),
    },
    exports: {
      store,
      pending: overlay,
      maxRows: config.maxExportRows,
      defaultMaxStalenessMs: config.defaultMaxStalenessMs,
      log,
      limits: config.exportLimits,
    },
    port: config.port,
    host: config.host,
    corsOrigins: config.corsOrigins,
    defaultDeadlineMs: config.defaultDeadlineMs,
    maxRequestBytes: config.maxRequestBytes,
    auth,
    metrics,
    reflection: config.reflection,
    limits: config.connections,
    ...(tls === undefined ? {} : { tls }),
    ...(role === "all" ? {} : { readyDetail: () => readyDetail(role, store, scaleOut) }),
  });
  const follow = (loaded: boolean) => server.setReady(loaded, loaded ? "" : notServing());
  const warm = () => void store.read(async (db) => warmSnapshot(db));
  follow(store.live !== undefined);
  warm();
  store.onChange((info) => {
    // A read may still hold the snapshot this one replaces: keep what it lacks one swap more.
    if (previousDataAsOf !== undefined) overlay.dropThrough(previousDataAsOf);
    previousDataAsOf = info?.dataAsOf ?? previousDataAsOf;
    follow(info !== undefined);
    warm();
  });
  if (replica && config.syncCron !== undefined) {
    log.warn(
      { syncCron: config.syncCron },
      "SYNC_CRON is ignored: a replica never syncs from the source",
    );
  }
  const schedule = new SyncSchedule(syncer, log, replica ? undefined : config.syncCron);
  if (!replica) schedule.start();
  // After the schedule's own listener, so that a failure's message can name the next try.
  syncer.onRunEnd((run) => {
    if (run.blocked !== undefined) server.setReady(store.live !== undefined, run.message);
    else follow(store.live !== undefined);
  });
  if (!replica) {
    store.onCorrupt(() => void syncer.sync("recovery", { force: true }));
    void syncer.sync("startup", { force: store.needsRebuild });
  }
  return {
    server,
    store,
    syncer,
    metrics,
    reloadCredentials: () => auth.reload(log),
    async close(options) {
      clearInterval(sweeping);
      syncer.abort("the service is shutting down");
      await server.close(config.shutdownGraceMs);
      await scaleOut.stop();
      await shared.stop();
      const ended = syncer.idle().then(() => true);
      const settled =
        options?.abandonSync === true
          ? await Promise.race([ended, delay(SYNC_ABORT_WAIT_MS).then(() => false)])
          : await ended;
      // After the aborted run has ended, so that the retry it asks for is cancelled too.
      await schedule.stop();
      afterWrites.stop();
      if (!settled) {
        log.warn(
          { run: syncer.status.lastRun?.runId },
          "shutdown abandons the sync in progress; the next start removes its partial snapshot",
        );
        return "abandoned";
      }
      await store.close();
      await source.close();
      return "closed";
    },
  };
}

/**
 * The syncer as a replica's SyncService sees it: its status (no runs: a replica never syncs
 * from the source) and a TriggerSync that says where to sync instead of reading the source.
 */
function replicaSyncer(
  syncer: Syncer,
): Pick<Syncer, "status" | "progress" | "trigger" | "currentStatement"> {
  return {
    status: syncer.status,
    progress: syncer.progress,
    currentStatement: () => undefined,
    trigger() {
      throw new AppError(
        "failed_precondition",
        "this process is a replica (ROLE=replica): it serves what the syncer publishes; call TriggerSync on the syncer",
      );
    },
  };
}

/**
 * Removes, every `intervalMs`, export files no running export owns (the store's start-up
 * clears what a previous process left): a file a call lost track of cannot stay until restart.
 */
function sweepExports(store: SnapshotStore, intervalMs: number, log: Logger): NodeJS.Timeout {
  const timer = setInterval(() => {
    store.exports.sweep().then(
      (removed) => {
        if (removed > 0) log.warn({ removed }, "removed export files no running export owned");
      },
      (err: unknown) => log.error({ err }, "the export sweep failed"),
    );
  }, intervalMs);
  timer.unref();
  return timer;
}

/** Reads `TLS_CERT` and `TLS_KEY` once at start-up; a missing file stops start-up clearly. */
async function tlsFiles(config: Config): Promise<TlsFiles | undefined> {
  if (config.tlsCert === undefined || config.tlsKey === undefined) return undefined;
  const read = async (name: string, path: string) => {
    try {
      return await readFile(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
      throw new ConfigError(`${name} ${path} cannot be read (${code})`);
    }
  };
  return {
    cert: await read("TLS_CERT", config.tlsCert),
    key: await read("TLS_KEY", config.tlsKey),
  };
}

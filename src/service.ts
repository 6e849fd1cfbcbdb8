import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { type Config, ConfigError } from "./config.js";
import { ReadRouter } from "./query/read-router.js";
import { warmSnapshot } from "./query/warm-snapshot.js";
import { Authenticator } from "./server/auth/authenticator.js";
import type { TlsFiles } from "./server/listen-tls.js";
import { Metrics } from "./server/metrics.js";
import { type Server, startServer } from "./server/server.js";
import { SnapshotStore } from "./snapshot/snapshot-store.js";
import { createSource } from "./source/create-source.js";
import { sourceIdentity } from "./source/source-identity.js";
import { deriveAll } from "./sync/derive-all.js";
import { SyncHistory } from "./sync/sync-history.js";
import { SyncSchedule } from "./sync/sync-schedule.js";
import { type Derive, Syncer } from "./sync/syncer.js";
import { whyNotServing } from "./sync/why-not-serving.js";

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
  /** Stops serving (in-flight calls finish within the grace period), then closes the snapshot. */
  close(): Promise<void>;
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
  const auth = await Authenticator.create(config, log);
  const tls = await tlsFiles(config);
  const identity = sourceIdentity(config);
  const store = new SnapshotStore(config.dataDir, log, {
    sourceIdentity: identity,
    memo: { maxBytes: config.memoMaxBytes, maxAnswerBytes: config.memoMaxAnswerBytes },
  });
  await store.openLast();
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
  const notServing = () => whyNotServing(store, syncer.status);
  const router = new ReadRouter(store, source.live, config.defaultMaxStalenessMs, Date.now, {
    whyNoSnapshot: notServing,
    liveIdentity: identity,
  });
  const server = await startServer({
    log,
    router,
    sync: { store, syncer, source: source.kind, sourceIdentity: identity },
    exports: {
      store,
      maxRows: config.maxExportRows,
      defaultMaxStalenessMs: config.defaultMaxStalenessMs,
      log,
    },
    port: config.port,
    host: config.host,
    corsOrigins: config.corsOrigins,
    defaultDeadlineMs: config.defaultDeadlineMs,
    maxRequestBytes: config.maxRequestBytes,
    auth,
    metrics,
    reflection: config.reflection,
    ...(tls === undefined ? {} : { tls }),
  });
  const follow = (loaded: boolean) => server.setReady(loaded, loaded ? "" : notServing());
  const warm = () => void store.read(async (db) => warmSnapshot(db));
  follow(store.live !== undefined);
  warm();
  store.onChange((info) => {
    follow(info !== undefined);
    warm();
  });
  const schedule = new SyncSchedule(syncer, log, config.syncCron);
  schedule.start();
  // After the schedule's own listener, so that a failure's message can name the next try.
  syncer.onRunEnd((run) => {
    if (run.blocked !== undefined) server.setReady(store.live !== undefined, run.message);
    else follow(store.live !== undefined);
  });
  store.onCorrupt(() => void syncer.sync("recovery", { force: true }));
  void syncer.sync("startup", { force: store.needsRebuild });
  return {
    server,
    store,
    syncer,
    metrics,
    reloadCredentials: () => auth.reload(log),
    async close() {
      await server.close(config.shutdownGraceMs);
      await schedule.stop();
      await syncer.idle();
      await store.close();
      await source.close();
    },
  };
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

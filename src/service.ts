import { readFile } from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "pino";
import { type Config, ConfigError } from "./config.js";
import { checkDataDirWritable } from "./data-dir-check.js";
import { ReadRouter } from "./query/read-router.js";
import { warmSnapshot } from "./query/warm-snapshot.js";
import { Authenticator } from "./server/auth/authenticator.js";
import type { TlsFiles } from "./server/listen-tls.js";
import { Metrics } from "./server/metrics.js";
import { type Server, startServer } from "./server/server.js";
import { SnapshotStore } from "./snapshot/snapshot-store.js";
import { createSource } from "./source/create-source.js";
import { deriveAll } from "./sync/derive-all.js";
import { SyncSchedule } from "./sync/sync-schedule.js";
import { type Derive, Syncer } from "./sync/syncer.js";

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
 * Wires the layers in the order DESIGN.md gives (snapshot store → source → syncer → server),
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
  const store = new SnapshotStore(config.dataDir, log);
  await store.openLast();
  const source = createSource(config, (message) => log.warn({ driver: "snowflake-sdk" }, message));
  const syncer = new Syncer(source, store, log, derive);
  const liveStats = source.live?.stats;
  const metrics = new Metrics({
    snapshotDataAsOf: () => store.live?.dataAsOf,
    ...(liveStats === undefined ? {} : { liveQueries: liveStats }),
  });
  syncer.onRunEnd((run) => metrics.syncRun(run));
  const router = new ReadRouter(store, source.live, config.defaultMaxStalenessMs);
  const server = await startServer({
    log,
    router,
    sync: { store, syncer, source: source.kind },
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
  const follow = (loaded: boolean) =>
    server.setReady(loaded, loaded ? "" : "no snapshot is loaded yet");
  const warm = () => void store.read(async (db) => warmSnapshot(db));
  follow(store.live !== undefined);
  warm();
  store.onChange((info) => {
    follow(info !== undefined);
    warm();
  });
  const schedule = new SyncSchedule(syncer, log, config.syncCron);
  schedule.start();
  void syncer.sync("startup");
  return {
    server,
    store,
    syncer,
    metrics,
    reloadCredentials: () => auth.reload(log),
    async close(options) {
      syncer.abort("the service is shutting down");
      await server.close(config.shutdownGraceMs);
      const ended = syncer.idle().then(() => true);
      const settled =
        options?.abandonSync === true
          ? await Promise.race([ended, delay(SYNC_ABORT_WAIT_MS).then(() => false)])
          : await ended;
      // After the aborted run has ended, so that the retry it asks for is cancelled too.
      await schedule.stop();
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

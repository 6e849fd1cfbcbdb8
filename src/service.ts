import type { Logger } from "pino";
import type { Config } from "./config.js";
import { ReadRouter } from "./query/read-router.js";
import { type Server, startServer } from "./server/server.js";
import { SnapshotStore } from "./snapshot/snapshot-store.js";
import { createSource } from "./source/create-source.js";
import { deriveAll } from "./sync/derive-all.js";
import { SyncSchedule } from "./sync/sync-schedule.js";
import { type Derive, Syncer } from "./sync/syncer.js";

/** The running service, as start-up hands it to `main` and tests. */
export interface Service {
  readonly server: Server;
  readonly store: SnapshotStore;
  readonly syncer: Syncer;
  /** Stops serving (in-flight calls finish within the grace period), then closes the snapshot. */
  close(): Promise<void>;
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
  const store = new SnapshotStore(config.dataDir, log);
  await store.openLast();
  const source = createSource(config, (message) => log.warn({ driver: "snowflake-sdk" }, message));
  const syncer = new Syncer(source, store, log, derive);
  const router = new ReadRouter(store, source.live, config.defaultMaxStalenessMs);
  const server = await startServer({
    log,
    router,
    sync: { store, syncer, source: source.kind },
    port: config.port,
    host: config.host,
    corsOrigins: config.corsOrigins,
    defaultDeadlineMs: config.defaultDeadlineMs,
    maxRequestBytes: config.maxRequestBytes,
  });
  const follow = (loaded: boolean) =>
    server.setReady(loaded, loaded ? "" : "no snapshot is loaded yet");
  follow(store.live !== undefined);
  store.onChange((info) => follow(info !== undefined));
  const schedule = new SyncSchedule(syncer, log, config.syncCron);
  schedule.start();
  void syncer.sync("startup");
  return {
    server,
    store,
    syncer,
    async close() {
      await server.close(config.shutdownGraceMs);
      await schedule.stop();
      await syncer.idle();
      await store.close();
      await source.close();
    },
  };
}

import type { Logger } from "pino";
import type { ScaleOutSettings } from "../config.js";
import type { PendingWrites } from "../query/pending-writes.js";
import type { Source } from "../source/source.js";
import type { AfterWrite, WriteTarget } from "../write/writes.js";
import type { ScaleOut } from "./scale-out.js";
import { SharedWriteLog, type WriteLogStats } from "./shared-write-log.js";

/** Why a replica refuses writes: it has no source of truth shared with the others to write to. */
const REPLICA_WITHOUT_SOURCE =
  "this replica (ROLE=replica) has no Snowflake settings, so it cannot write to the source every replica reads; send writes to the syncer or to a replica with SNOWFLAKE_* settings";

/** How writes run in a process, given its role. */
export interface ScaleOutWrites {
  readonly target: WriteTarget;
  readonly afterWrite: AfterWrite;
  /** The shared write log's counts; undefined for ROLE=all, which has none. */
  stats(): WriteLogStats | undefined;
  stop(): Promise<void>;
}

/** What the write wiring needs from the process. */
export interface ScaleOutWritesDeps {
  readonly settings: ScaleOutSettings;
  readonly source: Pick<Source, "kind" | "writer">;
  readonly identity: string;
  readonly overlay: PendingWrites;
  readonly scaleOut: Pick<ScaleOut, "publication">;
  readonly servedThrough: () => Date | undefined;
  /** Schedules the sync after writes; a replica never calls it (it never syncs). */
  readonly pokeSync: () => void;
  readonly log: Logger;
}

/**
 * Where each role's writes go and who hears of them. ROLE=all writes to its source and
 * schedules its sync after writes. A syncer and a replica share every confirmed write through
 * the write log in PUBLISH_DIR, so that any process shows it within a poll; the syncer also
 * schedules its sync after writes for every write, its own or a replica's, so the next
 * publication holds it. A replica writes only to Snowflake, the source all of them read; an
 * embedded database on a replica is its own file, which the syncer never reads, so such a
 * replica refuses writes.
 */
export async function startScaleOutWrites(deps: ScaleOutWritesDeps): Promise<ScaleOutWrites> {
  const { settings, source, identity } = deps;
  if (settings.role === "all" || settings.publishDir === undefined) {
    return {
      target: { writer: source.writer, identity },
      afterWrite: () => deps.pokeSync(),
      stats: () => undefined,
      stop: async () => {},
    };
  }
  const syncer = settings.role === "syncer";
  const pokeSync = syncer ? deps.pokeSync : () => undefined;
  const writer = syncer || source.kind === "snowflake" ? source.writer : undefined;
  const log = await SharedWriteLog.start({
    publishDir: settings.publishDir,
    appends: writer !== undefined,
    sweepsOthers: syncer,
    graceMs: settings.writeLogGraceMs,
    overlay: deps.overlay,
    servedThrough: deps.servedThrough,
    publishedThrough: () => deps.scaleOut.publication()?.latestDataAsOf,
    onForeignWrite: pokeSync,
    log: deps.log,
  });
  return {
    target:
      writer === undefined && !syncer
        ? { writer, identity, refusal: REPLICA_WITHOUT_SOURCE }
        : { writer, identity },
    async afterWrite(effects, committedAt) {
      await log.record(effects, committedAt);
      pokeSync();
    },
    stats: () => log.stats,
    stop: () => log.stop(),
  };
}

/**
 * One benchmark run, phase by phase, on one data set: generate (or reuse) the data; sync it
 * through the real driver from the emulator and measure the live path and the writes on that
 * service; sync it from the local Parquet; time the writes against the embedded DuckDB source
 * seeded from it; restart on the snapshot; measure every RPC from a client process,
 * and the same client against a bare HTTP/2 server (the transport floor); then the floor on the
 * same snapshot file. Children are stopped as each phase ends.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import type { BenchReport } from "./bench-report.js";
import { runClient } from "./client-runner.js";
import { measureFloor, measureFloorThroughput } from "./floor.js";
import { ensureDataSet } from "./generate.js";
import type { RunBounds } from "./latency.js";
import type { ClientJob, JobResult, Protocol } from "./load-client.js";
import { machineInfo } from "./machine.js";
import { waitForStructures } from "./memory-structures.js";
import { peakRssBytes } from "./processes.js";
import { measurePublication } from "./publication-bench.js";
import { drawRequestPool } from "./request-pool.js";
import {
  type CallName,
  CUSTOMER_PAGE,
  FALLBACK_NAMES,
  FRAMEWORK_FLOOR,
  type RequestPool,
  RPC_NAMES,
  type RpcName,
  TRANSPORT_FLOOR,
  TRANSPORT_PROBE,
} from "./rpc-cases.js";
import {
  CONCURRENCY,
  CUSTOMER_PAGE_CONCURRENCY,
  FALLBACK_CONCURRENCY,
  ID_POOL_SIZE,
  LIVE_CONCURRENCY,
  type Scale,
} from "./scale.js";
import { spawnBareGrpcServer, spawnEmulatorProcess, spawnService } from "./service-process.js";
import { currentSnapshotFile, snapshotDifference } from "./snapshot-diff.js";
import { DRIVER_SYNC, LOCAL_SYNC, measureRestarts, measureSync } from "./sync-bench.js";
import { checkTargets, LOOKUPS } from "./targets.js";
import { measureWrites, WRITE_BOUNDS, type WriteResult } from "./write-bench.js";

/** How a run is configured. */
export interface BenchOptions {
  readonly command: string;
  readonly scale: Scale;
  readonly seed: number;
  /** The service's LOG_LEVEL (info is the production default: one line per RPC). */
  readonly logLevel: string;
  /** Where data sets are cached (`data/bench`). */
  readonly dataRoot: string;
  /** A scratch directory for the services' data and the client's plans. */
  readonly workDir: string;
  readonly progress: (message: string) => void;
}

/** How the write rows name their source of truth. */
const EMULATOR_WRITES = "emulator via snowflake-sdk";
const EMBEDDED_WRITES = "embedded DuckDB";

const LIVE_RPCS: readonly RpcName[] = ["GetCustomer", "GetCustomerPortfolio"];

/** Runs every phase and returns the figures with the targets checked. */
export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const startedAt = new Date();
  const began = performance.now();
  const machine = machineInfo();
  const notes: string[] = [];
  o.progress(`data: ${o.scale.name}, seed ${o.seed}`);
  const dataset = await ensureDataSet(o.dataRoot, o.scale, o.seed);
  const pool = await drawRequestPool(dataset, ID_POOL_SIZE);

  o.progress("sync through snowflake-sdk from the emulator");
  const emulator = await spawnEmulatorProcess(dataset.dir, o.scale.emulatorHeapMb, 20 * 60_000);
  const driverEnv = {
    SOURCE: "snowflake",
    SNOWFLAKE_ACCOUNT: "emulator",
    SNOWFLAKE_USER: "analytics",
    SNOWFLAKE_PASSWORD: "emulator",
    SNOWFLAKE_ACCESS_URL: emulator.url,
    SNOWFLAKE_DATABASE: "ANALYTICS",
    SNOWFLAKE_SCHEMA: "PUBLIC",
    SNOWFLAKE_WAREHOUSE: "EMULATOR_WH",
    SYNC_BULK: "auto",
    SYNC_AFTER_WRITES: "off",
    DATA_DIR: join(o.workDir, "driver"),
    LOG_LEVEL: o.logLevel,
  };
  const driver = await measureSync(DRIVER_SYNC, driverEnv, o.scale.syncLimitMs);
  o.progress("live path");
  const liveJobs = jobs(LIVE_RPCS, LIVE_CONCURRENCY, "grpc", true, o.scale.live);
  const live = await measureOn(driver.service, liveJobs, pool, o.workDir);
  o.progress("write latency through the emulator");
  const writeBounds = WRITE_BOUNDS[o.scale.name];
  const writes: WriteResult[] = [
    ...(await measureWrites(driver.service.baseUrl, EMULATOR_WRITES, pool, writeBounds)),
  ];
  await driver.service.child.stop();
  const emulatorRss = peakRssBytes(emulator.child.pid) ?? 0;
  await emulator.child.stop();

  o.progress("sync from the local Parquet files");
  const localEnv = {
    SOURCE: "local",
    LOCAL_SOURCE_DIR: dataset.dir,
    DATA_DIR: join(o.workDir, "local"),
    LOG_LEVEL: o.logLevel,
  };
  const local = await measureSync(LOCAL_SYNC, localEnv, o.scale.syncLimitMs);
  const difference = await snapshotDifference(
    await currentSnapshotFile(join(o.workDir, "driver")),
    await currentSnapshotFile(join(o.workDir, "local")),
  );
  const differing = Object.entries(difference).filter(([, n]) => n !== 0);
  notes.push(
    differing.length === 0
      ? "The snapshot synced through the driver (bulk unload) and the local-Parquet one hold the same base tables: EXCEPT ALL both ways is empty for all three."
      : `The driver's and the local-Parquet snapshots DIFFER (EXCEPT ALL both ways): ${differing.map(([t, n]) => `${t} ${n} rows`).join(", ")}.`,
  );
  o.progress("write latency against the embedded DuckDB source");
  const embeddedEnv = {
    ...localEnv,
    SOURCE: "embedded",
    DATA_DIR: join(o.workDir, "embedded"),
    SYNC_AFTER_WRITES: "off",
  };
  const embedded = await spawnService(embeddedEnv, o.scale.syncLimitMs);
  writes.push(...(await measureWrites(embedded.baseUrl, EMBEDDED_WRITES, pool, writeBounds)));
  await embedded.child.stop();
  o.progress("restart to ready");
  const restarted = await measureRestarts(local.service, localEnv, o.scale.restarts);

  o.progress("the in-memory structures");
  const memory = await waitForStructures(
    restarted.service.baseUrl,
    o.scale.syncLimitMs,
    restarted.readyAt,
  );

  o.progress("RPC latency and throughput");
  const rpcJobs = [
    ...jobs([...RPC_NAMES, TRANSPORT_PROBE], CONCURRENCY, "grpc", false, o.scale.rpc),
    ...jobs([CUSTOMER_PAGE], CUSTOMER_PAGE_CONCURRENCY, "grpc", false, o.scale.rpc),
    ...jobs(FALLBACK_NAMES, FALLBACK_CONCURRENCY, "grpc", false, o.scale.fallback),
    ...jobs(["GetCustomer"], CONCURRENCY, "connect-json", false, o.scale.rpc),
  ];
  const served = await measureOn(restarted.service, rpcJobs, pool, o.workDir);
  const servingRss = peakRssBytes(restarted.service.child.pid) ?? 0;
  await restarted.service.child.stop();
  notes.push(
    `The serving process (restarted, then under the RPC load) peaked at ${Math.round(servingRss / 1024 ** 2)} MiB RSS.`,
  );

  o.progress("the transport floors: the same client against bare node:http2 and bare Connect");
  const transportFloor: JobResult[] = [];
  for (const [rpc, script] of FLOOR_SERVERS) {
    const bare = await spawnBareGrpcServer(script, 60_000);
    const floorJobs = jobs([rpc], CONCURRENCY, "grpc", false, o.scale.rpc);
    const server = { baseUrl: bare.url, child: bare.child };
    transportFloor.push(...(await measureOn(server, floorJobs, pool, o.workDir)));
    await bare.child.stop();
  }
  const rpc = afterProbe(served, transportFloor);

  o.progress("the floor");
  const snapshots = join(o.workDir, "local", "snapshots");
  const current = (await readFile(join(snapshots, "CURRENT"), "utf8")).trim();
  const snapshotFile = join(snapshots, `${current}.duckdb`);
  const floor = await measureFloor(snapshotFile, pool, RPC_NAMES, o.scale.floor);
  const floorThroughput = [];
  for (const name of LOOKUPS) {
    floorThroughput.push(await measureFloorThroughput(snapshotFile, pool, name, 4, o.scale.floor));
  }

  o.progress("scale-out: one syncer publishes, two replicas copy and serve");
  const publication = await measurePublication(localEnv, o.workDir, o.scale.syncLimitMs).catch(
    (err: unknown) => {
      notes.push(`The scale-out phase failed: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    },
  );

  for (const name of RPC_NAMES) {
    const job = rpc.find((j) => j.rpc === name && j.status === "unimplemented");
    if (job !== undefined)
      notes.push(`${name} answered UNIMPLEMENTED (not registered on the server): skipped.`);
  }
  for (const job of [...rpc, ...live]) {
    if (job.errors > 0 || job.status === "failed") {
      notes.push(
        `${job.rpc} (${job.protocol}, ${job.concurrency} callers${job.live ? ", live" : ""}): ` +
          `${job.errors} errors, first: ${job.firstError}`,
      );
    }
  }
  for (const w of writes)
    if (w.errors > 0)
      notes.push(
        `${w.rpc} (${w.target}, ${w.concurrency} callers): ${w.errors} errors, first: ${w.firstError}`,
      );
  for (const f of floor)
    if (f.status === "failed") notes.push(`floor of ${f.rpc} failed: ${f.error}`);
  const report: Omit<BenchReport, "targets"> = {
    command: o.command,
    scale: o.scale.name,
    seed: o.seed,
    logLevel: o.logLevel,
    startedAt: startedAt.toISOString(),
    totalMs: performance.now() - began,
    machine,
    loadAverageAtEnd: loadavg(),
    dataset,
    emulator: { startMs: emulator.startMs, peakRssBytes: emulatorRss },
    syncs: [driver.result, local.result],
    restart: restarted.result,
    memory,
    servingPeakRssBytes: servingRss,
    rpc,
    live,
    floor,
    floorThroughput,
    writes,
    ...(publication === undefined ? {} : { publication }),
    notes,
  };
  return { ...report, targets: checkTargets(report) };
}

/** `served` with the transport floor's rows placed right after HealthCheck's, for comparison. */
/** Every `rpc` at every concurrency, in that order, as load-client jobs. */
function jobs(
  rpcs: readonly CallName[],
  concurrencies: readonly number[],
  protocol: Protocol,
  live: boolean,
  bounds: RunBounds,
): ClientJob[] {
  return rpcs.flatMap((rpc) =>
    concurrencies.map((concurrency) => ({ rpc, protocol, concurrency, live, bounds })),
  );
}

/** Runs `planned` from the client process against `server`, measuring its CPU too. */
async function measureOn(
  server: { readonly baseUrl: string; readonly child: { readonly pid: number } },
  planned: readonly ClientJob[],
  pool: RequestPool,
  workDir: string,
): Promise<JobResult[]> {
  const plan = { baseUrl: server.baseUrl, serverPid: server.child.pid, pool, jobs: [...planned] };
  return (await runClient(plan, workDir)).results;
}

/** The floors' servers, each measured with the client's HealthCheck request. */
const FLOOR_SERVERS = [
  [TRANSPORT_FLOOR, "test/bench/bare-grpc-server.ts"],
  [FRAMEWORK_FLOOR, "test/bench/bare-connect-server.ts"],
] as const;

function afterProbe(served: readonly JobResult[], floor: readonly JobResult[]): JobResult[] {
  const at = served.findLastIndex((job) => job.rpc === TRANSPORT_PROBE) + 1;
  return [...served.slice(0, at), ...floor, ...served.slice(at)];
}

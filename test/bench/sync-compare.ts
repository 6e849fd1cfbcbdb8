/**
 * A diagnostic for the sync alone: `npx tsx test/bench/sync-compare.ts --data <dataset dir>
 * [--streamed]` runs the service's first sync through snowflake-sdk from the emulator (the bulk
 * path, `SYNC_BULK=auto`), then from the local Parquet files, optionally also the streamed
 * driver sync (`SYNC_BULK=off`), and prints each one's wall time, per-table times, peak RSS
 * and the machine's load average, and whether the snapshots' base tables are equal (EXCEPT ALL
 * both ways). It is the sync part of `npm run bench` without the RPC phases.
 *
 * @module
 */
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SCALES } from "./scale.js";
import { spawnEmulatorProcess } from "./service-process.js";
import { currentSnapshotFile, snapshotDifference } from "./snapshot-diff.js";
import { LOCAL_SYNC, measureSync, type SyncResult } from "./sync-bench.js";

const { values } = parseArgs({
  options: { data: { type: "string" }, streamed: { type: "boolean", default: false } },
});
if (values.data === undefined) throw new Error("usage: --data <dataset dir> [--streamed]");
const work = await mkdtemp(join(tmpdir(), "sync-compare-"));
const limitMs = 20 * 60_000;
process.stdout.write("starting the emulator\n");
const print = (result: SyncResult) => {
  process.stdout.write(
    `${result.label}: ${result.state} ${result.message} run ${(result.runMs / 1000).toFixed(1)} s, ` +
      `peak RSS ${Math.round(result.peakRssBytes / 1024 ** 2)} MiB, load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}\n`,
  );
  for (const t of result.tables) {
    process.stdout.write(`  ${t.table}: ${t.rows} rows, ${(t.durationMs / 1000).toFixed(2)} s\n`);
  }
};
try {
  const emulator = await spawnEmulatorProcess(values.data, SCALES.large.emulatorHeapMb, limitMs);
  const driverEnv = (mode: string, dir: string) => ({
    SOURCE: "snowflake",
    SNOWFLAKE_ACCOUNT: "emulator",
    SNOWFLAKE_USER: "analytics",
    SNOWFLAKE_PASSWORD: "emulator",
    SNOWFLAKE_ACCESS_URL: emulator.url,
    SNOWFLAKE_DATABASE: "ANALYTICS",
    SNOWFLAKE_SCHEMA: "PUBLIC",
    SNOWFLAKE_WAREHOUSE: "EMULATOR_WH",
    SYNC_BULK: mode,
    DATA_DIR: join(work, dir),
    LOG_LEVEL: "warn",
  });
  process.stdout.write(`emulator loaded in ${(emulator.startMs / 1000).toFixed(1)} s\n`);
  const bulk = await measureSync(
    "driver, bulk (SYNC_BULK=auto)",
    driverEnv("auto", "bulk"),
    limitMs,
  );
  print(bulk.result);
  await bulk.service.child.stop();
  if (values.streamed) {
    const streamed = await measureSync(
      "driver, streamed (SYNC_BULK=off)",
      driverEnv("off", "streamed"),
      limitMs,
    );
    print(streamed.result);
    await streamed.service.child.stop();
  }
  await emulator.child.stop();
  const localEnv = {
    SOURCE: "local",
    LOCAL_SOURCE_DIR: values.data,
    DATA_DIR: join(work, "local"),
    LOG_LEVEL: "warn",
  };
  const local = await measureSync(LOCAL_SYNC, localEnv, limitMs);
  print(local.result);
  await local.service.child.stop();
  process.stdout.write(`bulk / local: ${(bulk.result.runMs / local.result.runMs).toFixed(2)}x\n`);
  const diff = await snapshotDifference(
    await currentSnapshotFile(join(work, "bulk")),
    await currentSnapshotFile(join(work, "local")),
  );
  process.stdout.write(`EXCEPT ALL both ways, bulk vs local: ${JSON.stringify(diff)}\n`);
} finally {
  await rm(work, { recursive: true, force: true });
}

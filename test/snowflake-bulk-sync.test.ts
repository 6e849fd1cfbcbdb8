import type { Connection } from "snowflake-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SnowflakeSourceOptions, snowflakeSource } from "../src/source/snowflake-source.js";
import { BASE_TABLES, type BaseTable } from "../src/source/table-feed.js";
import { connectDriver, destroy, run, waitUntil, within } from "./emulator/driver-helpers.js";
import { type EmulatorHandle, startEmulator } from "./emulator/index.js";
import { emulatorConfig, type SyncHarness, syncHarness } from "./support/snowflake-harness.js";

const TABLES = Object.keys(BASE_TABLES) as BaseTable[];
const quiet: SnowflakeSourceOptions = { driverLog: () => undefined };
/** Small files, so even the small tables of a test unload as several files and several GETs. */
const bulk: SnowflakeSourceOptions = { ...quiet, bulk: "on", bulkMaxFileBytes: 20_000 };

let emulator: EmulatorHandle;
/** A session of the test's own, to create the named stage and leave files on it. */
let admin: Connection;
const STAGE = "BULK_STAGE";

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    generate: { customers: 400, products: 30, customer_products: 5000 },
  });
  await emulator.sql(
    `INSERT INTO customer_products VALUES
       ('RX1', 'C0000001', 'P00001', 'owner', DATE '2024-02-29', NULL, 1234567890123.45),
       ('RX2', 'C0000002', NULL, NULL, DATE '1967-06-23', DATE '2024-01-31', -0.10),
       ('RX3', 'C0000003', 'P00002', 'joint', DATE '2020-01-01', NULL, NULL)`,
  );
  admin = await connectDriver(emulator.url);
  await run(admin, `CREATE STAGE ${STAGE}`);
});

afterAll(async () => {
  await destroy(admin);
  await emulator.close();
});

/** Runs one sync that is expected to fail and returns its message. */
async function failedSync(options: SnowflakeSourceOptions): Promise<string> {
  const source = snowflakeSource(emulatorConfig(emulator.url), options);
  const harness = await syncHarness(source);
  try {
    const result = await within(60_000, harness.syncer.sync("startup"), "sync");
    expect(result.state).toBe("failed");
    expect(harness.store.live).toBeUndefined();
    return result.message;
  } finally {
    await harness.close();
    await source.close();
  }
}

/** Runs one sync with `options` and hands the harness to `check`. */
async function synced(
  options: SnowflakeSourceOptions,
  check: (harness: SyncHarness) => Promise<void>,
): Promise<void> {
  const source = snowflakeSource(emulatorConfig(emulator.url), options);
  const harness = await syncHarness(source);
  try {
    const run = await within(60_000, harness.syncer.sync("startup"), "sync");
    expect(run.message).toBe("");
    expect(run.state).toBe("succeeded");
    await check(harness);
  } finally {
    await harness.close();
    await source.close();
  }
}

async function snapshotRows(options: SnowflakeSourceOptions) {
  const rows = {} as Record<BaseTable, (string | null)[][]>;
  await synced(options, async (harness) => {
    for (const table of TABLES) rows[table] = await harness.rows(table);
  });
  return rows;
}

describe("the bulk path: unload through a stage, download with the real driver, load Parquet", () => {
  it("builds the same snapshot as streaming, with exact decimals, NULLs and dates", async () => {
    await emulator.resetStats();
    const unloaded = await snapshotRows(bulk);
    const stats = await emulator.stats();
    expect(stats.stageFilesWritten).toBeGreaterThan(3);
    expect(stats.stageDownloads.served).toBe(stats.stageFilesWritten);
    expect(await emulator.stageFiles()).toEqual([]);
    const streamed = await snapshotRows({ ...quiet, bulk: "off" });
    for (const table of TABLES) {
      expect(unloaded[table].length).toBeGreaterThan(0);
      expect(unloaded[table]).toEqual(streamed[table]);
    }
    const find = (id: string) => unloaded.customer_products.find((r) => r[0] === id);
    expect(find("RX1")).toEqual([
      "RX1",
      "C0000001",
      "P00001",
      "owner",
      "2024-02-29",
      null,
      "1234567890123.45",
    ]);
    expect(find("RX2")).toEqual([
      "RX2",
      "C0000002",
      null,
      null,
      "1967-06-23",
      "2024-01-31",
      "-0.10",
    ]);
    expect(find("RX3")?.[6]).toBeNull();
  });

  it("reports the bulk phase's bytes and files as sync progress (what WatchSync streams)", async () => {
    const source = snowflakeSource(emulatorConfig(emulator.url), bulk);
    const harness = await syncHarness(source);
    const stop = new AbortController();
    const seen: {
      table: string;
      bytes: number;
      totalBytes: number;
      files: number;
      totalFiles: number;
    }[] = [];
    const watching = (async () => {
      for await (const event of harness.syncer.progress.watch(stop.signal)) {
        if (event.totalFiles > 0) seen.push(event);
      }
    })();
    try {
      expect((await within(60_000, harness.syncer.sync("startup"), "sync")).state).toBe(
        "succeeded",
      );
    } finally {
      stop.abort();
      await watching;
      await harness.close();
      await source.close();
    }
    const last = seen.filter((e) => e.table === "customer_products").at(-1);
    expect(last?.totalFiles).toBeGreaterThan(1);
    expect(last?.files).toBe(last?.totalFiles);
    expect(last?.bytes).toBe(last?.totalBytes);
    expect(seen.some((e) => e.table === "customer_products" && e.files < e.totalFiles)).toBe(true);
  });

  it("with SYNC_BULK=off streams every table and touches no stage", async () => {
    await emulator.resetStats();
    await snapshotRows({ ...quiet, bulk: "off" });
    expect((await emulator.stats()).stageFilesWritten).toBe(0);
  });

  it("in auto mode unloads only the tables of at least SYNC_BULK_MIN_ROWS rows", async () => {
    await emulator.resetStats();
    await synced({ ...bulk, bulk: "auto", bulkMinRows: 1000 }, async (harness) => {
      expect((await harness.rows("customer_products")).length).toBe(5003);
    });
    const stats = await emulator.stats();
    expect(stats.stageFilesWritten).toBeGreaterThan(0);
    expect(stats.queries.byKind.stage).toBeGreaterThan(0);
  });

  it("reads at the sync's instant: a write while the table is being unloaded stays out", async () => {
    const before = await snapshotRows({ ...quiet, bulk: "off" });
    await emulator.setFaults({
      slowQueries: { count: 1, delayMs: 1500, sqlPattern: "^COPY INTO" },
    });
    const source = snowflakeSource(emulatorConfig(emulator.url), bulk);
    const harness = await syncHarness(source);
    try {
      const syncing = harness.syncer.sync("startup");
      await waitUntil(
        async () => ((await emulator.stats()).faults.slowQueries ?? 0) > 0,
        20_000,
        "the unload",
      );
      await emulator.sql("UPDATE customer_products SET value = ? WHERE relationship_id = ?", [
        "7.77",
        "RX1",
      ]);
      await emulator.sql(
        "INSERT INTO customer_products VALUES ('RX9', 'C0000009', 'P00009', 'owner', DATE '2024-03-01', NULL, 1.00)",
      );
      const result = await within(60_000, syncing, "sync");
      expect(result.message).toBe("");
      for (const table of TABLES) expect(await harness.rows(table)).toEqual(before[table]);
    } finally {
      await harness.close();
      await source.close();
      await emulator.clearFaults();
      await emulator.sql("DELETE FROM customer_products WHERE relationship_id = ?", ["RX9"]);
      await emulator.sql("UPDATE customer_products SET value = ? WHERE relationship_id = ?", [
        "1234567890123.45",
        "RX1",
      ]);
    }
  });

  it("retries a truncated download once and loads the whole file", async () => {
    await emulator.resetStats();
    await emulator.setFaults({ truncateDownloads: { count: 1 } });
    try {
      const rows = await snapshotRows(bulk);
      expect((await emulator.stats()).stageDownloads.truncated).toBe(1);
      expect(rows.customer_products.length).toBe(5003);
    } finally {
      await emulator.clearFaults();
    }
  });

  it("fails a sync whose download stays truncated, loads nothing, and cleans the stage", async () => {
    await emulator.setFaults({
      truncateDownloads: { count: 1000, pathPattern: "customer_products" },
    });
    try {
      const message = await failedSync({ ...bulk, stage: STAGE });
      expect(message).toMatch(/customer_products.*failed twice for data_\d+\.parquet/);
      expect(await emulator.stageFiles()).toEqual([]);
    } finally {
      await emulator.clearFaults();
    }
  });

  it("fails a sync whose files cannot be downloaded and removes them from the stage", async () => {
    await emulator.setFaults({ failDownloads: { count: 1000, status: 500 } });
    try {
      const message = await failedSync({ ...bulk, stage: STAGE });
      expect(message).toMatch(/bulk download/);
      expect(await emulator.stageFiles()).toEqual([]);
    } finally {
      await emulator.clearFaults();
    }
  });

  it("removes the files a crashed sync left on the named stage", async () => {
    await run(
      admin,
      `COPY INTO @${STAGE}/customer_analytics/s-crashed/customers/ FROM (SELECT * FROM customers) FILE_FORMAT = (TYPE = PARQUET)`,
    );
    expect((await emulator.stageFiles()).length).toBeGreaterThan(0);
    await synced({ ...bulk, stage: STAGE }, async (harness) => {
      expect((await harness.rows("customers")).length).toBe(400);
    });
    expect(await emulator.stageFiles()).toEqual([]);
  });

  it("refuses files whose column types are not the schema's before loading anything", async () => {
    await emulator.sql("ALTER TABLE products ALTER COLUMN launch_date TYPE VARCHAR");
    try {
      const message = await failedSync(bulk);
      expect(message).toMatch(/PRODUCTS.*other types.*launch_date is VARCHAR, not DATE/s);
      expect(await emulator.stageFiles()).toEqual([]);
    } finally {
      await emulator.sql("ALTER TABLE products ALTER COLUMN launch_date TYPE DATE");
    }
  });
});

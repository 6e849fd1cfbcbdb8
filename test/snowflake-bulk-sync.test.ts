import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SnowflakeSourceOptions, snowflakeSource } from "../src/source/snowflake-source.js";
import { BASE_TABLES, type BaseTable } from "../src/source/table-feed.js";
import { within } from "./emulator/driver-helpers.js";
import { type EmulatorHandle, startEmulator } from "./emulator/index.js";
import { emulatorConfig, type SyncHarness, syncHarness } from "./support/snowflake-harness.js";

const TABLES = Object.keys(BASE_TABLES) as BaseTable[];
const quiet: SnowflakeSourceOptions = { driverLog: () => undefined };
/** Small files, so even the small tables of a test unload as several files and several GETs. */
const bulk: SnowflakeSourceOptions = { ...quiet, bulk: "on", bulkMaxFileBytes: 20_000 };

let emulator: EmulatorHandle;

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
});

afterAll(async () => {
  await emulator.close();
});

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
});

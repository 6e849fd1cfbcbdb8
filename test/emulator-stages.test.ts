import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { Connection } from "snowflake-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDriver, destroy, run } from "./emulator/driver-helpers.js";
import { type EmulatorHandle, startEmulator } from "./emulator/index.js";

let emulator: EmulatorHandle;
let connection: Connection;
let other: Connection;
let local: string;

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    generate: { customers: 300, products: 20, customer_products: 4000 },
  });
  connection = await connectDriver(emulator.url);
  other = await connectDriver(emulator.url);
  local = await mkdtemp(join(tmpdir(), "stage-get-"));
});

afterAll(async () => {
  await destroy(connection);
  await destroy(other);
  await emulator.close();
  await rm(local, { recursive: true, force: true });
});

/** Rows of a Parquet directory, read by DuckDB as the snapshot build would. */
async function parquetRows(glob: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(":memory:");
  const db = await instance.connect();
  try {
    const reader = await db.runAndReadAll(
      `SELECT relationship_id, "value"::VARCHAR, end_date::VARCHAR FROM read_parquet('${glob}') ORDER BY 1`,
    );
    return reader.getRows();
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

describe("stages on the emulator, through the real driver", () => {
  it("unloads a SELECT as several Parquet files, lists them and downloads them with GET", async () => {
    await run(connection, "CREATE TEMPORARY STAGE unload_test");
    const copied = await run(
      connection,
      "COPY INTO @unload_test/run-1/customer_products/ FROM (SELECT relationship_id, value, end_date FROM customer_products) FILE_FORMAT = (TYPE = PARQUET) HEADER = TRUE MAX_FILE_SIZE = 20000",
    );
    expect(copied[0]?.rows_unloaded).toBe(4000);
    const listed = await run(connection, "LIST @unload_test/run-1/");
    expect(listed.length).toBeGreaterThan(1);
    for (const row of listed)
      expect(String(row.name)).toMatch(
        /^unload_test\/run-1\/customer_products\/data_\d+\.parquet$/,
      );
    const got = await run(
      connection,
      `GET @unload_test/run-1/ 'file://${local}/' PATTERN = '.*data_[0-9]+[.]parquet'`,
    );
    expect(got.map((row) => row.status)).toEqual(listed.map(() => "DOWNLOADED"));
    const files = (await readdir(local)).sort();
    expect(files.length).toBe(listed.length);
    const sizes = await Promise.all(
      files.map(async (f) => (await readFile(join(local, f))).length),
    );
    expect(sizes.sort()).toEqual(listed.map((row) => Number(row.size)).sort());
    const direct = await emulator.sql(
      `SELECT relationship_id, "value"::VARCHAR, end_date::VARCHAR FROM customer_products ORDER BY 1`,
    );
    expect(await parquetRows(join(local, "*.parquet"))).toEqual(direct.rows);
    expect((await emulator.stats()).stageDownloads.served).toBe(listed.length);
  });

  it("keeps a temporary stage to its session and drops it with the session", async () => {
    await expect(run(other, "LIST @unload_test")).rejects.toThrow(/does not exist/);
    await run(other, "CREATE STAGE shared_stage");
    await run(
      other,
      "COPY INTO @shared_stage/a/ FROM (SELECT 1 AS x) FILE_FORMAT = (TYPE = PARQUET)",
    );
    expect((await run(connection, "LIST @shared_stage")).length).toBe(1);
    const removed = await run(connection, "REMOVE @shared_stage/a/");
    expect(removed.length).toBe(1);
    expect(await run(other, "LIST @shared_stage")).toEqual([]);
    const temp = await connectDriver(emulator.url);
    await run(temp, "CREATE TEMPORARY STAGE short_lived");
    await run(
      temp,
      "COPY INTO @short_lived/x/ FROM (SELECT 1 AS x) FILE_FORMAT = (TYPE = PARQUET)",
    );
    expect((await emulator.stageFiles()).some((f) => f.startsWith("SHORT_LIVED/"))).toBe(true);
    await destroy(temp);
    expect((await emulator.stageFiles()).some((f) => f.startsWith("SHORT_LIVED/"))).toBe(false);
  });

  it("fails a download the storage refuses and sends a truncated file as asked", async () => {
    const dir = await mkdtemp(join(tmpdir(), "stage-fault-"));
    try {
      await emulator.setFaults({ failDownloads: { count: 50, status: 500 } });
      const failed = await run(
        connection,
        `GET @unload_test/run-1/ 'file://${dir}/' PATTERN = '.*data_0[.]parquet'`,
      );
      expect(failed.map((row) => row.status)).toEqual(["ERROR"]);
      await emulator.clearFaults();
      await emulator.setFaults({ truncateDownloads: { count: 1 } });
      const listed = await run(
        connection,
        "LIST @unload_test/run-1/ PATTERN = '.*data_0[.]parquet'",
      );
      const got = await run(
        connection,
        `GET @unload_test/run-1/ 'file://${dir}/' PATTERN = '.*data_0[.]parquet'`,
      );
      expect(got.map((row) => row.status)).toEqual(["DOWNLOADED"]);
      const size = (await readFile(join(dir, "data_0.parquet"))).length;
      expect(size).toBeLessThan(Number(listed[0]?.size));
      await expect(parquetRows(join(dir, "data_0.parquet"))).rejects.toThrow();
    } finally {
      await emulator.clearFaults();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

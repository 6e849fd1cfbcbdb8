import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isErrorKind } from "../src/app-error.js";
import { loadConfig } from "../src/config.js";
import { createSource } from "../src/source/create-source.js";
import { type SnowflakeSourceOptions, snowflakeSource } from "../src/source/snowflake-source.js";
import type { Source } from "../src/source/source.js";
import { BASE_TABLES, type BaseTable, type TableFeed } from "../src/source/table-feed.js";
import { within } from "./emulator/driver-helpers.js";
import { type EmulatorHandle, startEmulator } from "./emulator/index.js";
import { emulatorConfig, syncHarness } from "./support/snowflake-harness.js";

const FIXTURE = "test/fixtures/basic";
const quiet: SnowflakeSourceOptions = { driverLog: () => undefined };
const TABLES = Object.keys(BASE_TABLES) as BaseTable[];

let emulator: EmulatorHandle;
let keyDir: string;
let privateKeyPath: string;

beforeAll(async () => {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  keyDir = await mkdtemp(join(tmpdir(), "snowflake-key-"));
  privateKeyPath = join(keyDir, "rsa_key.p8");
  await writeFile(privateKeyPath, privateKey.export({ type: "pkcs8", format: "pem" }));
  emulator = await startEmulator({
    port: 0,
    dataDir: FIXTURE,
    publicKeysPem: [publicKey.export({ type: "spki", format: "pem" }).toString()],
  });
});

afterAll(async () => {
  await emulator.close();
  await rm(keyDir, { recursive: true, force: true });
});

/** The emulator's tables as text, sorted, read through the admin API (not the driver). */
async function emulatorRows(table: BaseTable): Promise<(string | null)[][]> {
  const columns = BASE_TABLES[table].map((c) => `CAST("${c}" AS VARCHAR)`);
  const result = await emulator.sql(`SELECT ${columns.join(", ")} FROM ${table} ORDER BY 1`);
  return result.rows.map((row) => row.map((v) => (v === null ? null : String(v))));
}

/** Reads a rows feed to the end. */
async function drain(feed: TableFeed): Promise<(string | null)[][]> {
  if (feed.kind !== "rows") throw new Error("expected a rows feed");
  const rows: (string | null)[][] = [];
  for await (const batch of feed.batches) rows.push(...batch.map((row) => [...row]));
  return rows.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}

async function withSource<T>(source: Source, fn: (source: Source) => Promise<T>): Promise<T> {
  try {
    return await fn(source);
  } finally {
    await source.close();
  }
}

describe("the Snowflake source mirrors the tables", () => {
  it("builds a snapshot equal to the fixture: exact decimals, NULL end dates, dates", async () => {
    const source = snowflakeSource(emulatorConfig(emulator.url), quiet);
    const harness = await syncHarness(source);
    try {
      const before = Date.now();
      const run = await within(30_000, harness.syncer.sync("startup"), "sync");
      expect(run.message).toBe("");
      expect(run.state).toBe("succeeded");
      for (const table of TABLES) {
        expect(await harness.rows(table)).toEqual(await emulatorRows(table));
      }
      const relationships = await harness.rows("customer_products");
      expect(relationships.find((r) => r[0] === "R001")).toEqual([
        "R001",
        "C001",
        "P01",
        "holder",
        "2020-01-20",
        null,
        "100.10",
      ]);
      expect(relationships.find((r) => r[0] === "R003")?.[6]).toBe("0.05");
      expect(relationships.find((r) => r[0] === "R006")).toEqual([
        "R006",
        "C002",
        "P04",
        "holder",
        "2022-07-01",
        "2024-06-30",
        "-50.25",
      ]);
      expect(relationships.filter((r) => r[5] === null)).toHaveLength(6);
      const customers = await harness.rows("customers");
      expect(customers.find((r) => r[0] === "C003")?.[1]).toBe('Carol\'s "Shop"');
      const info = harness.store.live;
      expect(info?.source).toBe("snowflake");
      expect(info?.dataAsOf.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(info?.dataAsOf.getTime()).toBeLessThanOrEqual(Date.now());
      expect(info?.tables.find((t) => t.table === "customer_products")?.rows).toBe(9);
    } finally {
      await harness.close();
      await source.close();
    }
  });

  it("keeps its fingerprint while nothing changes and changes it after a write", async () => {
    await withSource(snowflakeSource(emulatorConfig(emulator.url), quiet), async (source) => {
      const first = await source.fingerprint();
      expect(await source.fingerprint()).toBe(first);
      await emulator.sql("UPDATE products SET status = ? WHERE product_id = ?", ["retired", "P02"]);
      const second = await source.fingerprint();
      expect(second).not.toBe(first);
      expect(await source.fingerprint()).toBe(second);
      await emulator.sql("UPDATE products SET status = ? WHERE product_id = ?", ["active", "P02"]);
      expect(await source.fingerprint()).not.toBe(second);
    });
  });

  it("skips a sync when nothing changed and picks up a write on the next one", async () => {
    const source = snowflakeSource(emulatorConfig(emulator.url), quiet);
    const harness = await syncHarness(source);
    try {
      expect((await harness.syncer.sync("startup")).state).toBe("succeeded");
      const skipped = await harness.syncer.sync("schedule");
      expect(skipped.state).toBe("skipped");
      await emulator.sql("UPDATE customers SET region = ? WHERE customer_id = ?", ["West", "C004"]);
      expect((await harness.syncer.sync("schedule")).state).toBe("succeeded");
      expect((await harness.rows("customers")).find((r) => r[0] === "C004")?.[3]).toBe("West");
      await emulator.sql("UPDATE customers SET region = ? WHERE customer_id = ?", ["East", "C004"]);
    } finally {
      await harness.close();
      await source.close();
    }
  });

  it("reads every table at one point in time: writes made during the load stay out", async () => {
    await withSource(snowflakeSource(emulatorConfig(emulator.url), quiet), async (source) => {
      const expected = {
        customers: await emulatorRows("customers"),
        customer_products: await emulatorRows("customer_products"),
      };
      const load = await source.load();
      await new Promise((resolve) => setTimeout(resolve, 5));
      await emulator.sql(
        "INSERT INTO customers VALUES ('C999', 'Late', 'retail', 'North', DATE '2024-01-01', 'active')",
      );
      await emulator.sql("UPDATE customer_products SET value = ? WHERE relationship_id = ?", [
        "1.00",
        "R001",
      ]);
      try {
        expect(await drain(load.tables.customers)).toEqual(expected.customers);
        expect(await drain(load.tables.customer_products)).toEqual(expected.customer_products);
        expect(load.tables.customers).toMatchObject({ expectedRows: 5 });
        expect((await emulator.stats()).timeTravelReads).toBeGreaterThan(0);
        const fresh = await source.load();
        const rows = await drain(fresh.tables.customers);
        expect(rows.map((r) => r[0])).toContain("C999");
        expect(fresh.dataAsOf.getTime()).toBeGreaterThan(load.dataAsOf.getTime());
      } finally {
        await emulator.sql("DELETE FROM customers WHERE customer_id = ?", ["C999"]);
        await emulator.sql("UPDATE customer_products SET value = ? WHERE relationship_id = ?", [
          "100.10",
          "R001",
        ]);
      }
    });
  });

  it("names a missing table in the fingerprint error", async () => {
    await emulator.sql("ALTER TABLE products RENAME TO products_gone");
    try {
      await withSource(snowflakeSource(emulatorConfig(emulator.url), quiet), async (source) => {
        const error = await source.fingerprint().catch((err: unknown) => err);
        expect(isErrorKind(error, "invalid_data")).toBe(true);
        expect((error as Error).message).toMatch(/Snowflake table ANALYTICS\.PUBLIC\.PRODUCTS/);
      });
    } finally {
      await emulator.sql("ALTER TABLE products_gone RENAME TO products");
    }
  });
});

describe("configuration", () => {
  it("builds the Snowflake source from SNOWFLAKE_* settings (SOURCE=snowflake)", async () => {
    const config = loadConfig({
      SNOWFLAKE_ACCOUNT: "emulator",
      SNOWFLAKE_USER: "analytics",
      SNOWFLAKE_PASSWORD: "emulator",
      SNOWFLAKE_DATABASE: "ANALYTICS",
      SNOWFLAKE_SCHEMA: "PUBLIC",
      SNOWFLAKE_WAREHOUSE: "EMULATOR_WH",
      SNOWFLAKE_ACCESS_URL: emulator.url,
    });
    const source = createSource(config);
    try {
      expect(source.kind).toBe("snowflake");
      expect("live" in source).toBe(true);
      expect(await source.fingerprint()).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await source.close();
    }
  });
});

describe("logging in", () => {
  it("reports a wrong password clearly, naming the user and never the password", async () => {
    const password = "hunter2-not-the-password";
    const source = snowflakeSource(emulatorConfig(emulator.url, { password }), quiet);
    const harness = await syncHarness(source);
    try {
      const error = await source.fingerprint().catch((err: unknown) => err);
      expect(isErrorKind(error, "unavailable")).toBe(true);
      expect((error as Error).message).toBe(
        "Snowflake rejected the credentials for user analytics (390100)",
      );
      const run = await within(10_000, harness.syncer.sync("startup"), "sync");
      expect(run.state).toBe("failed");
      expect(run.message).toContain("390100");
      expect(run.message).not.toContain(password);
    } finally {
      await harness.close();
      await source.close();
    }
  });

  it("logs in with a key pair (SNOWFLAKE_JWT) and rejects a key Snowflake does not know", async () => {
    const keyPair = emulatorConfig(emulator.url, { password: undefined, privateKeyPath });
    await withSource(snowflakeSource(keyPair, quiet), async (source) => {
      const load = await source.load();
      expect(await drain(load.tables.products)).toEqual(await emulatorRows("products"));
    });
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const otherPath = join(keyDir, "other.p8");
    await writeFile(otherPath, other.export({ type: "pkcs8", format: "pem" }));
    const wrongKey = emulatorConfig(emulator.url, {
      password: undefined,
      privateKeyPath: otherPath,
    });
    await withSource(snowflakeSource(wrongKey, quiet), async (source) => {
      const error = await source.fingerprint().catch((err: unknown) => err);
      expect((error as Error).message).toBe(
        "Snowflake rejected the key-pair (JWT) credentials for user analytics (390144)",
      );
    });
  });
});

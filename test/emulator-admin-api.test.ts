import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnEmulator } from "./emulator/child-process.js";
import { connectDriver, destroy, run } from "./emulator/driver-helpers.js";
import { type EmulatorHandle, startEmulator } from "./emulator/index.js";
import { optionsFromEnv, parseGenerate } from "./emulator/main.js";

const dir = mkdtempSync(join(tmpdir(), "emulator-data-"));
let emulator: EmulatorHandle;

beforeAll(async () => {
  writeFileSync(
    join(dir, "Customers.csv"),
    [
      "CUSTOMER_ID,customer_name,customer_type,region,registration_date,status,extra",
      'C1,"Smith, Ann",retail,North,2024-01-15,active,ignored',
      "C2,Bob,wholesale,South,,inactive,",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "customer_products.csv.gz"),
    gzipSync(
      [
        "relationship_id,customer_id,product_id,relationship_type,start_date,end_date,value",
        "R1,C1,P1,owner,2024-02-01,,1234.50",
        "R2,C2,P1,joint,2024-03-01,2024-03-02,-0.13",
      ].join("\n"),
    ),
  );
  const duck = await DuckDBInstance.create(":memory:");
  const connection = await duck.connect();
  await connection.run(
    `COPY (SELECT 'P1' AS product_id, 'Mug' AS product_name, 'kitchen' AS product_category, 'goods' AS product_type,
           DATE '2020-05-01' AS launch_date, 'active' AS status) TO '${join(dir, "products.parquet")}' (FORMAT parquet)`,
  );
  connection.closeSync();
  duck.closeSync();
  emulator = await startEmulator({ port: 0, dataDir: dir });
});

afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

const admin = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${emulator.url}/__emulator/${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
};

describe("emulator data loading and admin API", () => {
  it("loads CSV, gzipped CSV and Parquet files, ignoring extra columns", async () => {
    const result = await emulator.sql(
      "SELECT (SELECT count(*) FROM customers), (SELECT sum(value) FROM customer_products), (SELECT product_name FROM products)",
    );
    expect(result.rows).toEqual([["2", "1234.37", "Mug"]]);
    const nullDate = await emulator.sql(
      "SELECT registration_date FROM customers WHERE customer_id = ?",
      ["C2"],
    );
    expect(nullDate.rows).toEqual([[null]]);
  });

  it("runs SQL with parameters over HTTP and reports bad requests as 400", async () => {
    const ok = await admin("POST", "sql", {
      sql: "UPDATE customers SET status = ? WHERE customer_id = ?",
      params: ["closed", "C1"],
    });
    expect(ok).toEqual({ status: 200, json: { columns: [], rows: [], rowsChanged: 1 } });
    const bad = await admin("POST", "sql", { sql: "SELECT * FROM nowhere" });
    expect(bad.status).toBe(400);
    expect(String(bad.json.error)).toContain("nowhere");
  });

  it("sets, shows, validates and clears faults over HTTP", async () => {
    expect((await admin("POST", "faults", { latencyMs: -1 })).status).toBe(400);
    expect((await admin("POST", "faults", { bogus: 1 })).json.error).toBe(
      "unknown fault(s): bogus",
    );
    const set = await admin("POST", "faults", {
      http5xx: { count: 2, pathPattern: "query" },
      expireSessions: 1,
    });
    expect(set.json).toEqual({ http5xx: { count: 2, pathPattern: "query" }, expireSessions: 1 });
    expect((await admin("POST", "faults", { reset: true, rejectLogins: 1 })).json).toEqual({
      rejectLogins: 1,
    });
    expect((await admin("DELETE", "faults")).json).toEqual({});
  });

  it("counts statements and resets stats", async () => {
    const stats = await admin("GET", "stats");
    expect(stats.json.adminStatements).toBeGreaterThan(0);
    const reset = await admin("POST", "stats/reset");
    expect(reset.json.adminStatements).toBe(0);
    expect((await admin("GET", "nothing")).status).toBe(404);
  });

  it("reads its settings from the environment", () => {
    expect(parseGenerate("customers=10, products=2,customer_products=30")).toEqual({
      customers: 10,
      products: 2,
      customer_products: 30,
    });
    expect(() => parseGenerate("orders=1")).toThrow(/unknown table/);
    const options = optionsFromEnv({
      EMULATOR_PORT: "0",
      EMULATOR_PASSWORD: "pw",
      EMULATOR_CHUNK_ROWS: "500",
    });
    expect(options).toMatchObject({ port: 0, password: "pw", chunkRows: 500 });
  });

  it("runs as a child process driven through the admin API", async () => {
    const child = await spawnEmulator({
      EMULATOR_GENERATE: "customers=7,products=2,customer_products=9",
    });
    try {
      const connection = await connectDriver(child.url);
      expect(await run(connection, "SELECT count(*) AS n FROM customers")).toEqual([{ N: 7 }]);
      await child.sql("DELETE FROM customers WHERE customer_id = ?", ["C0000001"]);
      await child.setFaults({ expireSessions: 1 });
      expect(await run(connection, "SELECT count(*) AS n FROM customers")).toEqual([{ N: 6 }]);
      expect((await child.stats()).tokenRenewals).toBe(1);
      await destroy(connection);
    } finally {
      await child.close();
    }
  });
});

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { SNAPSHOT_SCHEMA_VERSION } from "../src/schema/schema-version.js";
import { SnapshotStore } from "../src/snapshot/snapshot-store.js";
import { fileSource } from "../src/source/file-source.js";
import { Syncer } from "../src/sync/syncer.js";
import { BASE_TABLE_DDL } from "./support/base-table-ddl.js";
import { BASIC_FIXTURE } from "./support/test-service.js";

// The snapshot DDL comes from the schema module and must be what snapshots always had; every
// snapshot records the schema version it was written for, and one written for another version
// (or before versions were recorded) is not served but rebuilt by a fresh sync.

const log = pino({ level: "silent" });
const cleanup: string[] = [];

afterEach(async () => {
  for (const dir of cleanup.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** The base-table DDL snapshots were built with before the schema module existed. */
const PREVIOUS_DDL = [
  `CREATE TABLE customers (
    customer_id VARCHAR(50), customer_name VARCHAR(255), customer_type VARCHAR(50),
    region VARCHAR(100), registration_date DATE, status VARCHAR(20))`,
  `CREATE TABLE products (
    product_id VARCHAR(50), product_name VARCHAR(255), product_category VARCHAR(100),
    product_type VARCHAR(50), launch_date DATE, status VARCHAR(20))`,
  `CREATE TABLE customer_products (
    relationship_id VARCHAR(50), customer_id VARCHAR(50), product_id VARCHAR(50),
    relationship_type VARCHAR(50), start_date DATE, end_date DATE, "value" DECIMAL(15,2))`,
];

const COLUMNS = `SELECT table_name, column_name, ordinal_position, data_type, is_nullable
  FROM information_schema.columns
  WHERE table_name IN ('customers', 'products', 'customer_products')
  ORDER BY table_name, ordinal_position`;

async function catalogOf(ddl: readonly string[]): Promise<unknown[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    for (const statement of ddl) await connection.run(statement);
    return (await connection.runAndReadAll(COLUMNS)).getRowObjectsJson();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function syncedStore(): Promise<{ dataDir: string; store: SnapshotStore }> {
  const dataDir = await mkdtemp(join(tmpdir(), "ca-data-"));
  cleanup.push(dataDir);
  const store = new SnapshotStore(dataDir, log);
  await store.openLast();
  const run = await new Syncer(fileSource("local", BASIC_FIXTURE), store, log).sync("startup");
  expect(run.state).toBe("succeeded");
  return { dataDir, store };
}

/** Rewrites the metadata of the snapshot file at `path` as `change` says (read-write, closed after). */
async function rewriteMeta(path: string, change: string): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  await connection.run(change);
  await connection.run("CHECKPOINT");
  connection.closeSync();
  instance.closeSync();
}

describe("the snapshot schema", () => {
  it("the schema-derived DDL declares exactly the columns and types snapshots had", async () => {
    const previous = await catalogOf(PREVIOUS_DDL);
    expect(await catalogOf(BASE_TABLE_DDL)).toEqual(previous);
    const { store } = await syncedStore();
    const built = await store.read((db) => db.all(COLUMNS));
    expect(built?.value).toEqual(previous);
    const meta = await store.read((db) => db.all("SELECT schema_version FROM snapshot_meta"));
    expect(meta?.value).toEqual([{ schema_version: SNAPSHOT_SCHEMA_VERSION }]);
    await store.close();
  });

  for (const [what, change] of [
    ["another schema version", "UPDATE snapshot_meta SET schema_version = '0-older'"],
    [
      "no schema version (an older release)",
      "ALTER TABLE snapshot_meta DROP COLUMN schema_version",
    ],
  ] as const) {
    it(`a snapshot with ${what} is not served, and the next sync rebuilds it`, async () => {
      const { dataDir, store } = await syncedStore();
      const oldId = store.live?.id ?? "";
      await store.close();
      await rewriteMeta(store.files.pathOf(oldId), change);

      const reopened = new SnapshotStore(dataDir, log);
      expect(await reopened.openLast()).toBe(false);
      expect(reopened.live).toBeUndefined();
      const run = await new Syncer(fileSource("local", BASIC_FIXTURE), reopened, log).sync(
        "startup",
      );
      expect(run.state).toBe("succeeded");
      expect(reopened.live?.id).not.toBe(oldId);
      const meta = await reopened.read((db) => db.all("SELECT schema_version FROM snapshot_meta"));
      expect(meta?.value).toEqual([{ schema_version: SNAPSHOT_SCHEMA_VERSION }]);
      await reopened.close();
    });
  }
});

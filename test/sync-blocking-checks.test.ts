import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { rowChecks } from "../src/analytics/data-quality/data-quality-checks.js";
import { resolveDataQualityOptions } from "../src/analytics/data-quality/data-quality-options.js";
import { loadConfig } from "../src/config.js";
import { ALWAYS_BLOCKING, VALIDATION_CHECKS } from "../src/schema/validation-spec.js";
import { SnapshotStore } from "../src/snapshot/snapshot-store.js";
import { fileSource } from "../src/source/file-source.js";
import { deriveAll } from "../src/sync/derive-all.js";
import { Syncer } from "../src/sync/syncer.js";
import { BASIC_FIXTURE } from "./support/test-service.js";

// The validation spec's severities at work on a real local source and real snapshot files: a
// blocking check fails the sync and the live snapshot keeps serving; the same check set to
// `report` lets the sync through and shows in the data-quality report; empty tables and
// shrinking tables are blocked unless the run allows it.

const log = pino({ level: "silent" });
const cleanup: string[] = [];
const stores: SnapshotStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of cleanup.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanup.push(dir);
  return dir;
}

async function openStore(): Promise<SnapshotStore> {
  const store = new SnapshotStore(await tempDir("ca-data-"), log);
  await store.openLast();
  stores.push(store);
  return store;
}

/** A copy of the basic fixture (5 customers, 9 relationships) to change in place. */
async function fixtureCopy(): Promise<string> {
  const dir = await tempDir("ca-src-");
  await cp(BASIC_FIXTURE, dir, { recursive: true });
  return dir;
}

/** Keeps the header and the first `rows` data lines of one table's CSV. */
async function keepRows(dir: string, table: string, rows: number): Promise<void> {
  const path = join(dir, `${table}.csv`);
  const lines = (await readFile(path, "utf8")).trimEnd().split("\n");
  await writeFile(path, `${lines.slice(0, rows + 1).join("\n")}\n`);
}

/** The validation settings the service would pass for `env`. */
function settings(env: Record<string, string>) {
  const config = loadConfig({ SOURCE: "online-retail", ...env });
  return { blocking: config.syncBlockingChecks, maxShrink: config.syncMaxShrink };
}

const COUNT_CUSTOMERS = "SELECT count(*)::INTEGER AS n FROM customers";

describe("blocking and reporting checks", () => {
  it("a duplicate key blocks the sync, names the check and its rows, and the live snapshot serves", async () => {
    const store = await openStore();
    const dir = await fixtureCopy();
    const syncer = new Syncer(fileSource("local", dir), store, log, undefined, {
      validation: settings({}),
    });
    expect((await syncer.sync("startup")).state).toBe("succeeded");
    const liveId = store.live?.id;
    const path = join(dir, "customers.csv");
    await writeFile(
      path,
      `${(await readFile(path, "utf8")).trimEnd()}\nC001,Dup,retail,X,2020-01-01,active,x\n`,
    );
    const run = await syncer.sync("request");
    expect(run.state).toBe("failed");
    expect(run.blocked).toEqual({
      check: "customers.customer_id.unique",
      table: "customers",
      rows: 1,
    });
    expect(run.message).toContain("sync blocked by check customers.customer_id.unique");
    expect(store.live?.id).toBe(liveId);
    expect((await store.read((db) => db.all(COUNT_CUSTOMERS)))?.value[0]?.n).toBe(5);
  });

  it("the same check set to report lets the sync through and fails in the data-quality report", async () => {
    const store = await openStore();
    const dir = await fixtureCopy();
    const path = join(dir, "customers.csv");
    await writeFile(
      path,
      `${(await readFile(path, "utf8")).trimEnd()}\nC001,Dup,retail,X,2020-01-01,active,x\n`,
    );
    const policy = settings({ SYNC_BLOCKING_CHECKS: "default,-customers.customer_id.unique" });
    expect(policy.blocking.has("customers.customer_id.unique")).toBe(false);
    const derive = (db: Parameters<typeof deriveAll>[0], context: { dataAsOf: Date }) =>
      deriveAll(db, context);
    const syncer = new Syncer(fileSource("local", dir), store, log, derive, { validation: policy });
    const run = await syncer.sync("startup");
    expect(run.state).toBe("succeeded");
    expect(run.blocked).toBeUndefined();
    const result = await store.read((db) =>
      db.all("SELECT status, unexpected_count FROM dq_results WHERE check_id = ?", [
        "customers.customer_id.unique",
      ]),
    );
    expect(result?.value).toHaveLength(1);
    expect(result?.value[0]?.status).toBe("fail");
    expect((await store.read((db) => db.all(COUNT_CUSTOMERS)))?.value[0]?.n).toBe(6);
  });

  it("an empty customer_products fails even the first sync, unless the run allows shrinking", async () => {
    const store = await openStore();
    const dir = await fixtureCopy();
    await keepRows(dir, "customer_products", 0);
    const syncer = new Syncer(fileSource("local", dir), store, log, undefined, {
      validation: settings({}),
    });
    const run = await syncer.sync("startup");
    expect(run.state).toBe("failed");
    expect(run.blocked).toEqual({
      check: "customer_products.row_count",
      table: "customer_products",
      rows: 0,
    });
    expect(run.message).toContain("customer_products would be empty");
    expect(store.live).toBeUndefined();
    const allowed = await syncer.sync("request", { force: true, allowShrink: true });
    expect(allowed.state).toBe("succeeded");
    expect(store.live?.tables.find((t) => t.table === "customer_products")?.rows).toBe(0);
  });

  it("a shrink beyond SYNC_MAX_SHRINK is blocked; force with allow_shrink takes it", async () => {
    const store = await openStore();
    const dir = await fixtureCopy();
    const syncer = new Syncer(fileSource("local", dir), store, log, undefined, {
      validation: settings({}),
    });
    expect((await syncer.sync("startup")).state).toBe("succeeded");
    const liveId = store.live?.id;
    await keepRows(dir, "customer_products", 4);
    const blocked = await syncer.sync("request", { force: true });
    expect(blocked.state).toBe("failed");
    expect(blocked.blocked).toEqual({
      check: "customer_products.shrink",
      table: "customer_products",
      rows: 5,
    });
    expect(blocked.message).toContain("customer_products would shrink from 9 to 4 rows");
    expect(store.live?.id).toBe(liveId);
    const taken = await syncer.sync("request", { force: true, allowShrink: true });
    expect(taken.state).toBe("succeeded");
    expect(store.live?.tables.find((t) => t.table === "customer_products")?.rows).toBe(4);
  });

  it("the first sync into an empty DATA_DIR is not held to the shrink limit; the next one is", async () => {
    const store = await openStore();
    const dir = await fixtureCopy();
    await keepRows(dir, "customer_products", 2);
    const policy = settings({ SYNC_MAX_SHRINK: "0" });
    expect(policy.maxShrink).toBe(0);
    const syncer = new Syncer(fileSource("local", dir), store, log, undefined, {
      validation: policy,
    });
    const first = await syncer.sync("startup");
    expect(first.state).toBe("succeeded");
    await keepRows(dir, "customer_products", 1);
    const next = await syncer.sync("request", { force: true });
    expect(next.state).toBe("failed");
    expect(next.blocked?.check).toBe("customer_products.shrink");
  });
});

describe("the validation spec and its settings", () => {
  it("every row check of the spec is a check of the data-quality report, under the same id", () => {
    const options = resolveDataQualityOptions({ dataAsOf: new Date(), now: new Date() });
    const reported = new Set(rowChecks(options, "2024-01-01").map((c) => c.id));
    const specRowChecks = VALIDATION_CHECKS.filter((c) => c.sql !== undefined).map((c) => c.id);
    expect(specRowChecks.length).toBeGreaterThan(0);
    expect(specRowChecks.filter((id) => !reported.has(id))).toEqual([]);
  });

  it("SYNC_BLOCKING_CHECKS defaults to today's blocking set and refuses unknown ids by name", () => {
    expect([...settings({}).blocking].toSorted()).toEqual(
      [
        ...["customers", "products", "customer_products"].flatMap((t) => [
          `${t}.schema`,
          `${t}.source_row_count`,
          `${t}.shrink`,
        ]),
        "customers.row_count",
        "customer_products.row_count",
        "customers.customer_id.unique",
        "products.product_id.unique",
        "customer_products.relationship_id.unique",
      ].toSorted(),
    );
    const orphans = settings({
      SYNC_BLOCKING_CHECKS: "none,customer_products.product_id.foreign_key",
    });
    expect([...orphans.blocking].toSorted()).toEqual(
      ["customer_products.product_id.foreign_key", ...ALWAYS_BLOCKING].toSorted(),
    );
    expect(() => settings({ SYNC_BLOCKING_CHECKS: "customers.typo" })).toThrow(
      /SYNC_BLOCKING_CHECKS: customers.typo is not a check/,
    );
    expect(() => settings({ SYNC_MAX_SHRINK: "50%" })).toThrow(
      /SYNC_MAX_SHRINK=50% must be a number/,
    );
  });

  it("orphans set to block fail the sync with their count", async () => {
    const store = await openStore();
    const dir = await fixtureCopy();
    const path = join(dir, "customer_products.csv");
    await writeFile(
      path,
      `${(await readFile(path, "utf8")).trimEnd()}\nX1,C999,P01,holder,2020-01-01,,1.00\n`,
    );
    const policy = settings({
      SYNC_BLOCKING_CHECKS: "default,customer_products.customer_id.foreign_key",
    });
    const run = await new Syncer(fileSource("local", dir), store, log, undefined, {
      validation: policy,
    }).sync("startup");
    expect(run.state).toBe("failed");
    expect(run.blocked).toEqual({
      check: "customer_products.customer_id.foreign_key",
      table: "customer_products",
      rows: 1,
    });
    expect(store.live).toBeUndefined();
  });
});

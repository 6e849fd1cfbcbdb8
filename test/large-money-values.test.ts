import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getCustomer } from "../src/query/customer-queries.js";
import { getTableProfile } from "../src/query/explore-queries.js";
import { SnapshotStore } from "../src/snapshot/snapshot-store.js";
import { fileSource } from "../src/source/file-source.js";
import { deriveAll } from "../src/sync/derive-all.js";
import { Syncer } from "../src/sync/syncer.js";
import { BASIC_FIXTURE } from "./support/test-service.js";

// Values near the top of DECIMAL(15,2) are valid money. Their statistics (variance ~1e25) are
// integral doubles beyond 2^63, which once failed the whole sync when bound as BIGINT.

const BIG = "9999999999999.99";
let dir: string;
let store: SnapshotStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ca-big-"));
  const source = join(dir, "source");
  await cp(BASIC_FIXTURE, source, { recursive: true });
  const path = join(source, "customer_products.csv");
  const rows = `${(await readFile(path, "utf8")).trimEnd()}\nR900,C004,P05,holder,2020-01-01,,${BIG}\nR901,C004,P04,holder,2020-01-01,,-${BIG}\n`;
  await writeFile(path, rows);
  const log = pino({ level: "silent" });
  store = new SnapshotStore(join(dir, "data"), log);
  await store.openLast();
  const run = await new Syncer(fileSource("local", source), store, log, deriveAll).sync("startup");
  expect(run.message).toBe("");
  expect(run.state).toBe("succeeded");
});

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe("money at the top of DECIMAL(15,2)", () => {
  it("syncs, profiles and sums exactly", async () => {
    const answer = await store.read(async (db) => ({
      customer: await getCustomer(db, { customerId: "C004" }),
      profile: await getTableProfile(db, { table: "customer_products", columns: ["value"] }),
    }));
    expect(answer?.value.customer.summary.totalValue).toBe("0.00");
    const value = answer?.value.profile.columns.find((c) => c.name === "value");
    expect(value?.numeric?.max).toBe(BIG);
    expect(value?.numeric?.min).toBe(`-${BIG}`);
  });
});

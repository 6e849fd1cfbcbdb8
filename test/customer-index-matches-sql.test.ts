import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CUSTOMER_INDEX, type CustomerIndex } from "../src/query/customer-index.js";
import {
  batchGetCustomers,
  batchGetCustomersFromSnapshot,
  getCustomer,
  getCustomerFromSnapshot,
} from "../src/query/customer-queries.js";
import {
  getCustomerPortfolio,
  getCustomerPortfolioFromSnapshot,
} from "../src/query/portfolio-queries.js";
import type { SnapshotReader } from "../src/snapshot/snapshot-reader.js";
import { SnapshotStore } from "../src/snapshot/snapshot-store.js";
import { fileSource } from "../src/source/file-source.js";
import { deriveAll } from "../src/sync/derive-all.js";
import { Syncer } from "../src/sync/syncer.js";
import { Rng } from "./support/fuzz-rng.js";
import { writeCsvTables } from "./support/local-source-files.js";

/**
 * The in-memory customer index must give exactly what the SQL of GetCustomer and
 * BatchGetCustomers gives (that SQL is held to hand-worked answers in customer-answers), for
 * every customer and on every kind of day, on seeded data full of the cases that differ:
 * several relationships per product with gaps between them, open and ended relationships,
 * NULL starts, values and relationship ids, a NULL product, orphans, customers holding
 * nothing, negative cents and totals past 2^53 cents.
 */

const log = pino({ level: "silent" });
const CUSTOMERS = 120;
const PRODUCTS = 12;
const MAX_VALUE = "9999999999999.99";

function day(offset: number): string {
  return new Date(Date.UTC(2020, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);
}

function seededTables(rng: Rng) {
  const id = (i: number) => (i % 7 === 0 ? `c${i}` : `C${String(i).padStart(3, "0")}`);
  const customers = ["customer_id,customer_name,customer_type,region,registration_date,status"];
  for (let i = 0; i < CUSTOMERS; i++) {
    const name = i % 11 === 0 ? "" : `"Name ""${i}"", Ltd"`;
    customers.push(`${id(i)},${name},${rng.pick(["retail", "sme"])},R${i % 4},${day(i)},active`);
  }
  const products = ["product_id,product_name,product_category,product_type,launch_date,status"];
  for (let p = 0; p < PRODUCTS; p++) products.push(`P${p},Product ${p},cat,type,2019-01-01,active`);
  const relationships = [
    "relationship_id,customer_id,product_id,relationship_type,start_date,end_date,value",
  ];
  let r = 0;
  for (let i = 0; i < CUSTOMERS; i++) {
    if (i % 9 === 0) continue;
    const count = 1 + rng.int(i % 5 === 0 ? 40 : 8);
    for (let k = 0; k < count; k++) {
      const start = rng.int(1500);
      const end = rng.chance(0.4) ? "" : day(start + rng.int(400));
      const value = rng.chance(0.1)
        ? ""
        : rng.chance(0.1)
          ? `-${rng.int(500)}.${String(rng.int(100)).padStart(2, "0")}`
          : `${rng.int(100_000)}.${String(rng.int(100)).padStart(2, "0")}`;
      const startText = rng.chance(0.05) ? "" : day(start);
      relationships.push(
        `R${r++},${id(i)},P${rng.int(PRODUCTS)},holder,${startText},${end},${value}`,
      );
    }
  }
  relationships.push(`,${id(1)},P1,holder,${day(3)},,1.00`);
  relationships.push(`R${r++},${id(2)},,holder,${day(4)},,2.50`);
  relationships.push(`R${r++},ORPHAN,P1,holder,${day(5)},,3.00`);
  for (let k = 0; k < 10; k++) {
    relationships.push(`R${r++},${id(3)},P${k},holder,${day(10)},,${MAX_VALUE}`);
  }
  return { customers, products, customer_products: relationships };
}

let dir: string;
let store: SnapshotStore;
let ids: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ca-index-"));
  const source = join(dir, "source");
  const { mkdir } = await import("node:fs/promises");
  await mkdir(source);
  const tables = seededTables(new Rng(20261128));
  await writeCsvTables(source, tables);
  ids = [...tables.customers.slice(1).map((line) => line.split(",")[0] ?? ""), "ORPHAN", "nobody"];
  store = new SnapshotStore(join(dir, "data"), log);
  await store.openLast();
  const run = await new Syncer(fileSource("local", source), store, log, deriveAll).sync("startup");
  expect(run.state).toBe("succeeded");
});

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs `check` with the snapshot's customer index once it has been built. */
async function withIndex(check: (db: SnapshotReader, index: CustomerIndex) => Promise<void>) {
  const answer = await store.read(async (db) => {
    let index = db.memo.built(CUSTOMER_INDEX);
    for (let tries = 0; index === undefined && tries < 3_000; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      index = db.memo.built(CUSTOMER_INDEX);
    }
    if (index === undefined) throw new Error("the customer index was never built");
    await check(db, index);
    return true;
  });
  expect(answer?.value).toBe(true);
}

const DAYS = ["2019-06-01", day(0), day(3), day(10), day(200), day(700), day(1499), "2031-01-01"];

describe("the in-memory customer index", () => {
  it("answers GetCustomer exactly as its SQL does, for every customer on every kind of day", async () => {
    await withIndex(async (db, index) => {
      expect(index.size).toBe(CUSTOMERS);
      let compared = 0;
      for (const today of DAYS) {
        for (const customerId of ids) {
          const sql = await getCustomer(db, { customerId, today }).catch((err: Error) => err);
          const fromIndex = await getCustomerFromSnapshot(db, { customerId, today }).catch(
            (err: Error) => err,
          );
          expect(fromIndex, `${customerId} on ${today}`).toEqual(sql);
          compared++;
        }
      }
      expect(compared).toBe(DAYS.length * ids.length);
    });
  });

  it("answers BatchGetCustomers as its SQL does: request order, duplicates once, unknown ids missing", async () => {
    await withIndex(async (db) => {
      const customerIds = [
        ...ids.slice(40, 70),
        "nobody",
        ids[45] ?? "",
        "ORPHAN",
        ...ids.slice(0, 5),
      ];
      for (const today of DAYS) {
        const sql = await batchGetCustomers(db, { customerIds, today });
        const fromIndex = await batchGetCustomersFromSnapshot(db, { customerIds, today });
        expect(fromIndex).toEqual(sql);
        expect(fromIndex.missing).toEqual(["nobody", "ORPHAN"]);
      }
    });
  });

  it("lets GetCustomerPortfolio find customers in memory with the same outcome as by SQL", async () => {
    await withIndex(async (db) => {
      for (const customerId of ids) {
        const args = { customerId, asOf: day(300), activeOnly: false, pageSize: 5, pageToken: "" };
        const strip = (p: { nextPageToken: string }) => ({
          ...p,
          nextPageToken: p.nextPageToken !== "",
        });
        const sql = await getCustomerPortfolio(db, args).then(strip, (err: Error) => err);
        const fromIndex = await getCustomerPortfolioFromSnapshot(db, args).then(
          strip,
          (err: Error) => err,
        );
        expect(fromIndex, customerId).toEqual(sql);
      }
    });
  });

  it("keeps totals past 2^53 cents exact", async () => {
    await withIndex(async (db) => {
      const { summary } = await getCustomerFromSnapshot(db, { customerId: "C003", today: day(20) });
      const own = 10n * 999_999_999_999_999n;
      expect(BigInt(summary.totalValue.replace(".", ""))).toBeGreaterThanOrEqual(own);
      const sql = await getCustomer(db, { customerId: "C003", today: day(20) });
      expect(summary.totalValue).toBe(sql.summary.totalValue);
    });
  });
});

import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getRecommendations } from "../src/query/cross-sell-queries.js";
import {
  type ListCustomersArgs,
  listCustomers,
  listCustomersFromSnapshot,
  listCustomersLive,
} from "../src/query/customer-queries.js";
import { dayOf } from "../src/query/memory/cells.js";
import { CUSTOMER_LIST_INDEX } from "../src/query/memory/customer-list-index.js";
import { PORTFOLIO_INDEX } from "../src/query/memory/portfolio-index.js";
import { PRODUCT_HOLDERS_INDEX } from "../src/query/memory/product-holders-index.js";
import { RECOMMENDATION_INDEX } from "../src/query/memory/recommendation-index.js";
import { RFM_INDEX } from "../src/query/memory/rfm-index.js";
import {
  getCustomerPortfolio,
  getCustomerPortfolioFromSnapshot,
  type PortfolioArgs,
} from "../src/query/portfolio-queries.js";
import {
  getProduct,
  getProductFromSnapshot,
  type ListProductCustomersArgs,
  listProductCustomers,
  listProductCustomersFromSnapshot,
} from "../src/query/product-queries.js";
import { getCustomerSegment } from "../src/query/segmentation-queries.js";
import type { MemoKey } from "../src/snapshot/snapshot-memo.js";
import type { SnapshotReader } from "../src/snapshot/snapshot-reader.js";
import { SnapshotStore } from "../src/snapshot/snapshot-store.js";
import type { SqlRunner } from "../src/snapshot/sql-runner.js";
import { fileSource } from "../src/source/file-source.js";
import { deriveAll } from "../src/sync/derive-all.js";
import { Syncer } from "../src/sync/syncer.js";
import { Rng } from "./support/fuzz-rng.js";
import { writeCsvTables } from "./support/local-source-files.js";

/**
 * Every per-customer and per-product answer the service gives from its in-memory structures
 * must be exactly the SQL's answer (the SQL is held to hand-worked answers elsewhere), for
 * every customer and product of seeded data full of the cases that differ, on several as-of
 * days: holdings starting or ending on the day itself, open and ended ones, several per
 * product, NULL starts, values, relationship ids and categories, a product missing from the
 * products table, orphans, customers holding nothing, negative cents and totals past 2^53 (of a
 * customer, of one customer's holdings of one product, and so of that product), and a start on
 * 0001-01-01 beside a missing one, which sorts the same.
 */

const log = pino({ level: "silent" });
const CUSTOMERS = 160;
const PRODUCTS = 14;
const MAX_VALUE = "9999999999999.99";

function day(offset: number): string {
  return new Date(Date.UTC(2020, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);
}

const customerId = (i: number) => (i % 7 === 0 ? `c${i}` : `C${String(i).padStart(3, "0")}`);

function seededTables(rng: Rng) {
  const customers = ["customer_id,customer_name,customer_type,region,registration_date,status"];
  for (let i = 0; i < CUSTOMERS; i++) {
    const name = i % 11 === 0 ? "" : `"Name ""${i}"", ${i % 3 === 0 ? "Ltd" : "Søn"}"`;
    const region = ["North", "south", "Øst", "West"][i % 4];
    const type = rng.pick(["retail", "SME", "wholesale"]);
    customers.push(
      `${customerId(i)},${name},${type},${region},${day(i * 3)},${rng.pick(["active", "Closed"])}`,
    );
  }
  const products = ["product_id,product_name,product_category,product_type,launch_date,status"];
  for (let p = 0; p < PRODUCTS; p++) {
    const category = p % 5 === 4 ? "" : ["kitchen", "Garden", "fees", "äpfel"][p % 4];
    products.push(`P${p},Product ${p},${category},type,2019-01-01,active`);
  }
  const relationships = [
    "relationship_id,customer_id,product_id,relationship_type,start_date,end_date,value",
  ];
  let r = 0;
  for (let i = 0; i < CUSTOMERS; i++) {
    if (i % 9 === 0) continue;
    const count = 1 + rng.int(i % 5 === 0 ? 30 : 8);
    for (let k = 0; k < count; k++) {
      const start = rng.chance(0.3) ? 100 * rng.int(8) : rng.int(900);
      const end = rng.chance(0.4) ? "" : day(start + 100 * rng.int(4) + rng.int(2));
      const value = rng.chance(0.1)
        ? ""
        : rng.chance(0.1)
          ? `-${rng.int(500)}.${String(rng.int(100)).padStart(2, "0")}`
          : `${rng.int(100_000)}.${String(rng.int(100)).padStart(2, "0")}`;
      const startText = rng.chance(0.05) ? "" : day(start);
      const product = rng.chance(0.03) ? "PX" : `P${rng.int(PRODUCTS)}`;
      const type = rng.pick(["purchase", "subscription", "loan"]);
      relationships.push(
        `R${String(r++).padStart(5, "0")},${customerId(i)},${product},${type},${startText},${end},${value}`,
      );
    }
  }
  relationships.push(`,${customerId(1)},P1,holder,${day(3)},,1.00`);
  relationships.push(`R${r++},${customerId(2)},,holder,${day(4)},,2.50`);
  relationships.push(`R${r++},ORPHAN,P1,holder,${day(5)},,3.00`);
  for (let k = 0; k < 10; k++) {
    relationships.push(`R${r++},${customerId(3)},P${k},holder,${day(10)},,${MAX_VALUE}`);
    relationships.push(`R${r++},${customerId(4)},P2,holder,${day(10 + k)},,${MAX_VALUE}`);
  }
  return { customers, products, customer_products: relationships };
}

/** The two syncs and the slow comparisons (every customer, page and day) may take minutes on a busy machine. */
const SLOW = 300_000;

let dir: string;
let store: SnapshotStore;
/**
 * The same data without its orphan, its relationship without an id and its start on
 * 0001-01-01: there the portfolio index reads the holdings in storage order, the holders index
 * is derived from the portfolio and sums GetProduct's summaries; in {@link store} the first are
 * read sorted, the second scanned, and SQL answers every summary.
 */
let storeWithoutOrphans: SnapshotStore;
let customerIds: string[];
let productIds: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ca-memory-"));
  const tables = seededTables(new Rng(20261204));
  store = await syncedStore("with-orphans", {
    ...tables,
    customer_products: [
      ...tables.customer_products,
      `Ra,${customerId(5)},P1,holder,,,1.00`,
      `Rb,${customerId(5)},P2,holder,0001-01-01,,2.00`,
    ],
  });
  storeWithoutOrphans = await syncedStore("without-orphans", {
    ...tables,
    customer_products: tables.customer_products.filter(
      (line) => !line.includes(",ORPHAN,") && !line.startsWith(","),
    ),
  });
  customerIds = [
    ...tables.customers.slice(1).map((line) => line.split(",")[0] ?? ""),
    "ORPHAN",
    "nobody",
    "",
  ];
  productIds = [...Array.from({ length: PRODUCTS }, (_, p) => `P${p}`), "PX", "nothing"];
}, SLOW);

afterAll(async () => {
  await store.close();
  await storeWithoutOrphans.close();
  await rm(dir, { recursive: true, force: true });
});

/** A store under `name` holding the snapshot of `tables`, synced once. */
async function syncedStore(name: string, tables: Record<string, string[]>): Promise<SnapshotStore> {
  const source = join(dir, name, "source");
  await mkdir(source, { recursive: true });
  await writeCsvTables(source, tables);
  const synced = new SnapshotStore(join(dir, name, "data"), log);
  await synced.openLast();
  const run = await new Syncer(fileSource("local", source), synced, log, deriveAll).sync("startup");
  expect(run.state).toBe("succeeded");
  return synced;
}

/** Runs `check` on the snapshot once the structure `key` names has been built from it. */
async function whenBuilt<T>(
  key: MemoKey<T>,
  check: (db: SnapshotReader, built: T) => Promise<void>,
  from = store,
) {
  const answer = await from.read(async (db) => {
    let built = db.memo.built(key);
    for (let tries = 0; built === undefined && tries < 1000; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      built = db.memo.built(key);
    }
    if (built === undefined) throw new Error(`the ${key.name} was never built`);
    await check(db, built);
    return true;
  });
  expect(answer?.value).toBe(true);
}

/** An answer or the error it failed with, so failures are compared too. */
function settle<T>(work: () => Promise<T>): Promise<T | Error> {
  return work().catch((err: Error) => err);
}

/** The snapshot's statements without its memo: what a question asks when nothing is built. */
function sqlOnly(db: SnapshotReader): SqlRunner {
  return { run: (sql, params) => db.run(sql, params), all: (sql, params) => db.all(sql, params) };
}

const DAYS = ["2019-06-01", day(0), day(100), day(300), day(301), day(700), day(999), "2031-01-01"];

describe("the in-memory answers", () => {
  it.each([
    ["read sorted", true],
    ["read in storage order", false],
  ] as const)(
    "give GetCustomerPortfolio's every page exactly as its SQL does, on every kind of day (%s)",
    async (_, sorted) => {
      await whenBuilt(
        PORTFOLIO_INDEX,
        async (db, portfolio) => {
          expect(portfolio.readSorted).toBe(sorted);
          let pages = 0;
          for (const asOf of DAYS) {
            for (const activeOnly of [false, true]) {
              for (const id of customerIds) {
                let pageToken = "";
                do {
                  const args: PortfolioArgs = {
                    customerId: id,
                    asOf,
                    activeOnly,
                    pageSize: 4,
                    pageToken,
                  };
                  const sql = await settle(() => getCustomerPortfolio(db, args));
                  const memory = await settle(() => getCustomerPortfolioFromSnapshot(db, args));
                  expect(
                    memory,
                    `${id} on ${asOf}, active only ${activeOnly}, ${pageToken}`,
                  ).toEqual(sql);
                  pageToken = sql instanceof Error ? "" : sql.nextPageToken;
                  pages++;
                } while (pageToken !== "");
              }
            }
          }
          expect(pages).toBeGreaterThan(DAYS.length * 2 * customerIds.length);
        },
        sorted ? store : storeWithoutOrphans,
      );
    },
    SLOW,
  );

  it.each([
    ["scanned for orphans", "scan"],
    ["derived from the portfolio", "portfolio"],
  ] as const)(
    "give ListProductCustomers' every page exactly as its SQL does, on every kind of day (%s)",
    async (_, source) => {
      const from = source === "scan" ? store : storeWithoutOrphans;
      await whenBuilt(
        PRODUCT_HOLDERS_INDEX,
        async (db, holders) => {
          expect(holders.source).toBe(source);
          let pages = 0;
          for (const today of DAYS) {
            for (const activeOnly of [false, true]) {
              for (const productId of productIds) {
                let pageToken = "";
                do {
                  const args: ListProductCustomersArgs = {
                    productId,
                    activeOnly,
                    pageSize: 7,
                    pageToken,
                    today,
                  };
                  const sql = await settle(() => listProductCustomers(db, args));
                  const memory = await settle(() => listProductCustomersFromSnapshot(db, args));
                  expect(memory, `${productId} on ${today}, active only ${activeOnly}`).toEqual(
                    sql,
                  );
                  pageToken = sql instanceof Error ? "" : sql.nextPageToken;
                  pages++;
                } while (pageToken !== "");
              }
            }
          }
          expect(pages).toBeGreaterThan(DAYS.length * 2 * productIds.length);
        },
        from,
      );
    },
    SLOW,
  );

  it.each([
    ["SQL for all: a relationship without an id", "scan"],
    ["memory where the total is below 2^53 cents", "portfolio"],
  ] as const)(
    "give GetProduct's summary exactly as its SQL does, on every kind of day (%s)",
    async (_, source) => {
      await whenBuilt(
        PRODUCT_HOLDERS_INDEX,
        async (db, holders) => {
          expect(holders.source).toBe(source);
          let summed = 0;
          for (const today of DAYS) {
            for (const productId of productIds) {
              const args = { productId, today };
              const sql = await settle(() => getProduct(db, args));
              const memory = await settle(() => getProductFromSnapshot(db, args));
              expect(memory, `${productId} on ${today}`).toEqual(sql);
              if (holders.summary(productId, dayOf(today)) !== undefined) summed++;
            }
          }
          const safe = productIds.filter((p) => !["P2", "PX", "nothing"].includes(p));
          expect(summed).toBe(source === "portfolio" ? DAYS.length * safe.length : 0);
        },
        source === "scan" ? store : storeWithoutOrphans,
      );
    },
    SLOW,
  );

  it(
    "give GetRecommendations' precomputed lists, and the probe of every other question, as the SQL does",
    async () => {
      await whenBuilt(RECOMMENDATION_INDEX, async (db) => {
        let recommended = 0;
        for (const customerId of customerIds) {
          for (const args of [
            { customerId },
            { customerId, limit: 1 },
            { customerId, limit: 3 },
            { customerId, scoring: "lift" as const },
            { customerId, basketMode: "all" as const },
          ]) {
            const sql = await settle(() => getRecommendations(sqlOnly(db), args));
            const memory = await settle(() => getRecommendations(db, args));
            expect(memory, `${JSON.stringify(args)}`).toEqual(sql);
            if (!(sql instanceof Error)) recommended += sql.recommendations.length;
          }
        }
        expect(recommended).toBeGreaterThan(customerIds.length);
      });
    },
    SLOW,
  );

  it(
    "give GetCustomerSegment's precomputed rows as the SQL does, known and unknown ids alike",
    async () => {
      await whenBuilt(RFM_INDEX, async (db) => {
        let scored = 0;
        for (const customerId of customerIds) {
          const sql = await settle(() => getCustomerSegment(sqlOnly(db), { customerId }));
          const memory = await settle(() => getCustomerSegment(db, { customerId }));
          expect(memory, customerId).toEqual(sql);
          if (!(sql instanceof Error) && sql.scored) scored++;
        }
        expect(scored).toBeGreaterThan(customerIds.length / 2);
      });
    },
    SLOW,
  );

  it(
    "give ListCustomers' every page exactly as its SQL does, for every filter and the segment",
    async () => {
      await whenBuilt(CUSTOMER_LIST_INDEX, async (db) => {
        const none: ListCustomersArgs = {
          region: "",
          customerType: "",
          status: "",
          registeredFrom: "",
          registeredTo: "",
          nameContains: "",
          pageSize: 7,
          pageToken: "",
        };
        const filters: Partial<ListCustomersArgs>[] = [
          {},
          { region: "north" },
          { region: "ØST" },
          { region: "nowhere" },
          { customerType: "sme", status: "closed" },
          { registeredFrom: day(30), registeredTo: day(90) },
          { registeredFrom: day(90) },
          { registeredTo: day(30) },
          { nameContains: "SØN" },
          { nameContains: '"1' },
          { region: "South", nameContains: "ltd" },
          { segment: "champions" },
          { segment: "hibernating", region: "west" },
          { segment: "at_risk" },
        ];
        let listed = 0;
        for (const filter of filters) {
          let pageToken = "";
          do {
            const args = { ...none, ...filter, pageToken };
            const sql = await settle(() => listCustomers(db, args));
            const memory = await settle(() => listCustomersFromSnapshot(db, args));
            expect(memory, JSON.stringify(args)).toEqual(sql);
            if (sql instanceof Error) break;
            listed += sql.customers.length;
            pageToken = sql.nextPageToken;
          } while (pageToken !== "");
        }
        expect(listed).toBeGreaterThan(CUSTOMERS);
        await expect(
          listCustomersLive(db, { ...none, segment: "champions" }),
        ).rejects.toMatchObject({
          kind: "unavailable",
          field: "segment",
        });
      });
    },
    SLOW,
  );
});

import { DuckDBInstance } from "@duckdb/node-api";
import type { AnalyticsOptions } from "../src/analytics/analytics-build.js";
import { ANALYTICS_BUILDS } from "../src/analytics/analytics-builds.js";
import type { TableBuild } from "../src/snapshot/snapshot-build.js";
import { connectionRunner, type SqlRunner } from "../src/snapshot/sql-runner.js";
import { deriveAll } from "../src/sync/derive-all.js";
import { BASE_TABLE_DDL } from "./support/base-table-ddl.js";

/** A customer as the analytics tests describe it. */
export interface TestCustomer {
  readonly id: string;
  readonly type: string | null;
  readonly region: string | null;
}

/** A product as the analytics tests describe it. */
export interface TestProduct {
  readonly id: string;
  readonly category: string | null;
}

/** A relationship; dates as YYYY-MM-DD, value as an exact decimal string. */
export interface TestRelationship {
  readonly id: string;
  readonly customer: string;
  readonly product: string;
  readonly start: string | null;
  readonly end: string | null;
  readonly value: string | null;
}

/** The three base tables' rows. */
export interface TestData {
  readonly customers: readonly TestCustomer[];
  readonly products: readonly TestProduct[];
  readonly relationships: readonly TestRelationship[];
}

/** An in-memory snapshot with the analytics tables built. */
export interface AnalyticsFixture {
  readonly db: SqlRunner;
  close(): void;
}

/** The base tables as snapshots declare them (from the schema module). */
const DDL = BASE_TABLE_DDL;

/*
 * Rows travel as one JSON parameter per table: binding thousands of `?` is slow, and splicing
 * values into SQL is what the project never does, even in tests.
 */
const INSERT_CUSTOMERS = `INSERT INTO customers
  SELECT r.id, 'name', r.type, r.region, DATE '2020-01-01', 'active'
  FROM (SELECT unnest(json_transform(?, '[{"id":"VARCHAR","type":"VARCHAR","region":"VARCHAR"}]'),
                      recursive := true)) r`;
const INSERT_PRODUCTS = `INSERT INTO products
  SELECT r.id, 'product ' || r.id, r.category, 'type', DATE '2019-01-01', 'active'
  FROM (SELECT unnest(json_transform(?, '[{"id":"VARCHAR","category":"VARCHAR"}]'),
                      recursive := true)) r`;
const INSERT_RELATIONSHIPS = `INSERT INTO customer_products
  SELECT r.id, r.customer, r.product, 'holding', r.start::DATE, r."end"::DATE,
         r."value"::DECIMAL(15,2)
  FROM (SELECT unnest(json_transform(?, '[{"id":"VARCHAR","customer":"VARCHAR","product":"VARCHAR",
          "start":"VARCHAR","end":"VARCHAR","value":"VARCHAR"}]'), recursive := true)) r`;

/**
 * A support floor low enough that the generated test baskets produce rules at a count of 5, as
 * the reference computations in the tests assume (the service's default floor is 1 %).
 */
export const LOW_FLOOR: AnalyticsOptions = { rulesMinSupport: 0.0001, rulesMinPairCount: 5 };

/** The slices these tests read; the profiles and data quality have fixtures of their own. */
const ANALYTICS_SLICES = new Set(["cross-sell", "rfm", "cohorts", "trends"]);

/**
 * Builds the cross-sell, RFM, cohort and trend tables with the sync's own orchestrator, leaving
 * out the profiles and data-quality checks these tests never read (they cost the most time).
 */
export function buildAnalytics(
  db: SqlRunner,
  options: AnalyticsOptions = {},
): Promise<TableBuild[]> {
  const builds = ANALYTICS_BUILDS.filter((b) => ANALYTICS_SLICES.has(b.slice));
  return deriveAll(db, { dataAsOf: new Date() }, options, builds);
}

/**
 * Creates an in-memory DuckDB holding `data` in the base tables and, unless told otherwise,
 * builds the analytics tables with `options`.
 */
export async function openAnalyticsFixture(
  data: TestData,
  options: AnalyticsOptions = {},
  build = true,
): Promise<AnalyticsFixture> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const db = connectionRunner(connection);
  for (const statement of DDL) await db.run(statement);
  if (data.customers.length > 0) await db.run(INSERT_CUSTOMERS, [JSON.stringify(data.customers)]);
  if (data.products.length > 0) await db.run(INSERT_PRODUCTS, [JSON.stringify(data.products)]);
  if (data.relationships.length > 0) {
    await db.run(INSERT_RELATIONSHIPS, [JSON.stringify(data.relationships)]);
  }
  if (build) await buildAnalytics(db, options);
  return {
    db,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** A small deterministic PRNG (mulberry32), so generated data is the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The day after the last start_date: the snapshot's default reference date. */
export function dayAfterLastStart(data: TestData): string {
  const starts = data.relationships.flatMap((r) => (r.start === null ? [] : [r.start])).sort();
  return addDays(starts.at(-1) ?? "1970-01-01", 1);
}

/** Adds whole days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * Generates a realistic-looking snapshot: skewed product popularity (so rules have a spread of
 * supports), a few ended and a few still-open relationships, some customers without region or
 * type, an orphan product, a zero-value customer and repeated holdings of one product.
 */
export function generateData(
  seed: number,
  customerCount: number,
  productCount: number,
  relationshipsPerCustomer: number,
): TestData {
  const rand = seededRandom(seed);
  const regions = ["north", "south", "east", null];
  const types = ["retail", "sme", "corp", null];
  const customers: TestCustomer[] = [];
  for (let i = 0; i < customerCount; i++) {
    customers.push({
      id: `C${String(i).padStart(5, "0")}`,
      region: regions[Math.floor(rand() * regions.length)] ?? null,
      type: types[Math.floor(rand() * types.length)] ?? null,
    });
  }
  const products: TestProduct[] = [];
  for (let i = 0; i < productCount; i++) {
    products.push({ id: `P${String(i).padStart(3, "0")}`, category: `cat${i % 4}` });
  }
  const relationships: TestRelationship[] = [];
  let next = 0;
  for (const c of customers) {
    const n = 1 + Math.floor(rand() * relationshipsPerCustomer * 2);
    for (let k = 0; k < n; k++) {
      const skew = rand() * rand();
      const product =
        rand() < 0.01 ? "P_ORPHAN" : `P${String(Math.floor(skew * productCount)).padStart(3, "0")}`;
      const start = addDays("2021-01-01", Math.floor(rand() * 900));
      const roll = rand();
      const end =
        roll < 0.3
          ? addDays(start, Math.floor(rand() * 400))
          : roll < 0.32
            ? addDays(start, -3)
            : null;
      const cents = c.id.endsWith("7") && rand() < 0.5 ? 0 : Math.floor(rand() * 500_000);
      relationships.push({
        id: `R${next++}`,
        customer: c.id,
        product,
        start,
        end,
        value: (cents / 100).toFixed(2),
      });
    }
  }
  return { customers, products, relationships };
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProfiles } from "../src/analytics/profiles/profiles.js";
import type { SqlParam, SqlRow } from "../src/snapshot/sql-runner.js";
import { BASE_DDL, createFixture, type Fixture } from "./explore-fixture.js";
import { imbalance, pandasSkew } from "./explore-reference.js";
import { baseTableDdl } from "./support/base-table-ddl.js";

/**
 * Fixture A (100 customers): customer_id unique; customer_name 51 distinct; region 50 distinct
 * and exactly 1% null; customer_type constant; registration_date 2% null; status 90/10.
 * products: a duplicated row, and product_name all distinct but one null. customer_products:
 * empty.
 */
const CUSTOMERS: SqlParam[][] = Array.from({ length: 100 }, (_, i) => [
  `c${String(i).padStart(3, "0")}`,
  `name ${i % 51}`,
  "retail",
  i === 0 ? null : `region ${i % 50}`,
  i < 2 ? null : "2020-01-01",
  i < 90 ? "active" : "inactive",
]);
const PRODUCTS: SqlParam[][] = Array.from({ length: 20 }, (_, i) => [
  `p${i}`,
  i === 5 ? null : `product ${i}`,
  "home",
  "merch",
  "2020-01-01",
  "active",
]);

/**
 * Fixture B (customer_products with an extra numeric column): value has 10 zeros and one huge
 * value (skewness above 20); quantity is mildly skewed; end_date is 2% null.
 */
const VALUES = Array.from({ length: 600 }, (_, i) =>
  i === 0 ? 1_000_000 : i < 11 ? 0 : (i % 6) + 1,
);
const QUANTITY = Array.from({ length: 600 }, (_, i) => (i % 7) + (i % 3));
const DDL_B = [BASE_DDL[0], BASE_DDL[1], baseTableDdl("customer_products", ["quantity INTEGER"])];

let a: Fixture;
let b: Fixture;
let alertsA: SqlRow[];
let alertsB: SqlRow[];

const ALERTS_SQL = "SELECT * FROM eda_alerts ORDER BY table_name, column_name, alert_type";

beforeAll(async () => {
  a = await createFixture({
    customers: CUSTOMERS,
    products: [...PRODUCTS, PRODUCTS[3] as SqlParam[]],
  });
  await buildProfiles(a.db);
  alertsA = await a.db.all(ALERTS_SQL);
  b = await createFixture(
    {
      customer_products: VALUES.map((v, i) => [
        `r${i}`,
        `c${i % 9}`,
        `p${i % 4}`,
        "purchase",
        "2020-01-01",
        i < 12 ? null : "2021-01-01",
        String(v),
        QUANTITY[i] ?? null,
      ]),
    },
    DDL_B,
  );
  await buildProfiles(b.db, { thresholds: { missing: 0.05 } });
  alertsB = await b.db.all(ALERTS_SQL);
});
afterAll(() => {
  a.close();
  b.close();
});

function find(alerts: SqlRow[], table: string, column: string | null, type: string) {
  return alerts.find(
    (x) => x.table_name === table && x.column_name === column && x.alert_type === type,
  );
}

describe("MISSING", () => {
  it("fires above 1% of n, not at exactly 1% (ydata compares with >)", () => {
    expect(find(alertsA, "customers", "region", "MISSING")).toBeUndefined();
    expect(find(alertsA, "customers", "registration_date", "MISSING")?.value).toBeCloseTo(0.02, 12);
  });

  it("follows a configured threshold", () => {
    expect(find(alertsB, "customer_products", "end_date", "MISSING")).toBeUndefined();
  });
});

describe("UNIQUE and CONSTANT", () => {
  it("raises UNIQUE only when n_distinct equals n, so a column with a null is not UNIQUE", async () => {
    expect(find(alertsA, "customers", "customer_id", "UNIQUE")).toBeDefined();
    expect(find(alertsA, "products", "product_name", "UNIQUE")).toBeUndefined();
    const [name] = await a.db.all(
      "SELECT is_unique FROM eda_column_profile WHERE table_name = 'products' AND column_name = 'product_name'",
    );
    expect(name?.is_unique).toBe(false);
  });

  it("raises CONSTANT for a single distinct value, without IMBALANCE", () => {
    expect(find(alertsA, "customers", "customer_type", "CONSTANT")).toBeDefined();
    expect(find(alertsA, "customers", "customer_type", "IMBALANCE")).toBeUndefined();
  });
});

describe("numeric alerts", () => {
  it("raises ZEROS above 1% of n", () => {
    expect(find(alertsB, "customer_products", "value", "ZEROS")?.value).toBeCloseTo(10 / 600, 12);
    expect(find(alertsB, "customer_products", "quantity", "ZEROS")?.value).toBeCloseTo(
      QUANTITY.filter((q) => q === 0).length / 600,
      12,
    );
  });

  it("raises SKEWED when |skewness| is above 20, with pandas' skewness", () => {
    const skew = pandasSkew(VALUES) ?? 0;
    expect(skew).toBeGreaterThan(20);
    expect(find(alertsB, "customer_products", "value", "SKEWED")?.value).toBeCloseTo(skew, 8);
    expect(Math.abs(pandasSkew(QUANTITY) ?? 0)).toBeLessThan(20);
    expect(find(alertsB, "customer_products", "quantity", "SKEWED")).toBeUndefined();
  });
});

describe("categorical alerts", () => {
  it("raises IMBALANCE above 0.5 with ydata's entropy score", () => {
    const expected = imbalance([90, 10]);
    expect(expected).toBeGreaterThan(0.5);
    expect(find(alertsA, "customers", "status", "IMBALANCE")?.value).toBeCloseTo(expected, 12);
  });

  it("raises HIGH_CARDINALITY for more than 50 distinct strings, not for 50", () => {
    expect(find(alertsA, "customers", "customer_name", "HIGH_CARDINALITY")?.value).toBe(51);
    expect(find(alertsA, "customers", "region", "HIGH_CARDINALITY")).toBeUndefined();
  });
});

describe("table alerts", () => {
  it("raises DUPLICATES for a single duplicated row group (ydata tests n_duplicates > 0.01)", () => {
    const dup = find(alertsA, "products", null, "DUPLICATES");
    expect(dup?.value).toBe(1);
    expect(find(alertsA, "customers", null, "DUPLICATES")).toBeUndefined();
  });

  it("raises EMPTY for a table without rows, and no column alerts", () => {
    const rows = alertsA.filter((x) => x.table_name === "customer_products");
    expect(rows.map((x) => [x.column_name, x.alert_type])).toEqual([[null, "EMPTY"]]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProfiles, type ProfileBuildOptions } from "../src/analytics/profiles/profiles.js";
import { correlationAlerts } from "../src/analytics/profiles/profiles-alerts.js";
import type { SqlParam, SqlRow, SqlRunner } from "../src/snapshot/sql-runner.js";
import { BASE_DDL, createFixture, type Fixture, type FixtureRows } from "./explore-fixture.js";
import { cramersVReference, pandasCut, pearson, spearman } from "./explore-reference.js";
import { baseTableDdl } from "./support/base-table-ddl.js";

const REGIONS = ["UK", "FR", "DE"];
/** 40 customers: customer_type (2 values), region (3), status (2, one null). */
const CUSTOMERS: SqlParam[][] = Array.from({ length: 40 }, (_, i) => [
  `c${i}`,
  `name ${i}`,
  i % 3 === 0 || i % 7 === 0 ? "wholesale" : "retail",
  REGIONS[(i * i) % 3] ?? null,
  "2020-01-01",
  i % 4 === 0 || i % 5 === 0 ? "inactive" : i === 39 ? null : "active",
]);

/** 40 relationships with two numeric columns (ties in both) and a 2-valued type. */
const VALUES = Array.from({ length: 40 }, (_, i) =>
  i % 11 === 0 ? null : ((i * 37) % 23) + (i % 2 ? 0.5 : 0),
);
const QUANTITY = Array.from({ length: 40 }, (_, i) => (i === 7 ? null : (i * 13) % 9));
const TYPES = Array.from({ length: 40 }, (_, i) => (i % 3 ? "purchase" : "return"));
const RELATIONSHIPS: SqlParam[][] = VALUES.map((v, i) => [
  `r${i}`,
  "c1",
  "p1",
  TYPES[i] ?? null,
  "2020-01-01",
  null,
  v === null ? null : v.toFixed(2),
  QUANTITY[i] ?? null,
]);
const DDL = [BASE_DDL[0], BASE_DDL[1], baseTableDdl("customer_products", ["quantity INTEGER"])];

const opened: Fixture[] = [];
afterAll(() => {
  for (const f of opened) f.close();
});

async function profiled(rows: FixtureRows, options: ProfileBuildOptions = {}): Promise<SqlRunner> {
  const f = await createFixture(rows, DDL);
  opened.push(f);
  await buildProfiles(f.db, options);
  return f.db;
}

let main: SqlRunner;
let pairs: SqlRow[];
beforeAll(async () => {
  main = await profiled({ customers: CUSTOMERS, customer_products: RELATIONSHIPS });
  pairs = await main.all("SELECT * FROM eda_correlations ORDER BY table_name, column_a, column_b");
});

const column = (rows: SqlParam[][], i: number) => rows.map((r) => (r[i] ?? null) as string | null);
const pair = (a: string, b: string) => pairs.find((r) => r.column_a === a && r.column_b === b);

describe("Cramér's V (bias-corrected, ydata's _cramers_corrected_stat)", () => {
  it("matches the reference for every categorical pair, with Yates' correction on 2x2 tables", () => {
    const idx: Record<string, number> = { customer_type: 2, region: 3, status: 5 };
    const customers = pairs.filter((r) => r.table_name === "customers");
    expect(customers.map((r) => [r.column_a, r.column_b])).toEqual([
      ["customer_type", "region"],
      ["customer_type", "status"],
      ["region", "status"],
    ]);
    for (const r of customers) {
      const a = column(CUSTOMERS, idx[String(r.column_a)] ?? 0);
      const b = column(CUSTOMERS, idx[String(r.column_b)] ?? 0);
      expect(r.method).toBe("cramers_v");
      expect(r.coefficient).toBeCloseTo(cramersVReference(a, b), 12);
    }
    expect(Number(pair("customer_type", "status")?.n_pairs)).toBe(39);
  });

  it("cuts a numeric partner into 10 equal-width right-closed bins, as pd.cut", () => {
    const r = pair("relationship_type", "value");
    expect(r?.method).toBe("cramers_v");
    expect(r?.coefficient).toBeCloseTo(cramersVReference(TYPES, pandasCut(VALUES, 10)), 12);
    const q = pair("relationship_type", "quantity");
    expect(q?.coefficient).toBeCloseTo(cramersVReference(TYPES, pandasCut(QUANTITY, 10)), 12);
  });

  it("flags HIGH_CORRELATION on both columns, naming the partner", async () => {
    const rows = CUSTOMERS.map((r) => [
      ...r.slice(0, 2),
      r[3] === "UK" ? "wholesale" : "retail",
      ...r.slice(3),
    ]);
    const v = cramersVReference(column(rows, 2), column(rows, 3));
    const db = await profiled({ customers: rows }, { thresholds: { correlation: v - 1e-9 } });
    const alerts = await db.all(
      "SELECT column_name, detail FROM eda_alerts WHERE alert_type = 'HIGH_CORRELATION' ORDER BY column_name",
    );
    expect(alerts).toEqual([
      { column_name: "customer_type", detail: "region" },
      { column_name: "region", detail: "customer_type" },
    ]);
  });

  it("compares |coefficient| with >= as ydata's perform_check_correlation does", () => {
    const one = (coefficient: number) => [
      { columnA: "a", columnB: "b", method: "spearman" as const, coefficient, n: 10 },
    ];
    expect(correlationAlerts(one(-0.9), 0.9).map((a) => a.column)).toEqual(["a", "b"]);
    expect(correlationAlerts(one(0.8999), 0.9)).toEqual([]);
  });
});

describe("Spearman", () => {
  it("ranks ties by their average rank (DuckDB's rank() gives the lowest), as pandas", () => {
    const r = pair("value", "quantity");
    expect(r?.method).toBe("spearman");
    expect(r?.coefficient).toBeCloseTo(spearman(VALUES, QUANTITY), 12);
    const complete = VALUES.map((v, i) => [v, QUANTITY[i] ?? null] as const).filter(
      (p): p is readonly [number, number] => p[0] !== null && p[1] !== null,
    );
    expect(Number(r?.n_pairs)).toBe(complete.length);
    const minRank = (xs: number[]) => xs.map((x) => xs.filter((y) => y < x).length + 1);
    const withMinRanks = pearson(
      minRank(complete.map((c) => c[0])),
      minRank(complete.map((c) => c[1])),
    );
    expect(r?.coefficient).not.toBeCloseTo(withMinRanks, 6);
  });
});

describe("opt-in beyond the column cap", () => {
  const statusOf = async (db: SqlRunner) =>
    db.all(
      "SELECT correlation_status, correlation_columns FROM eda_table_profile WHERE table_name = 'customers'",
    );

  it("skips correlations above maxColumns unless includeBeyondCap, and says why", async () => {
    const skipped = await profiled({ customers: CUSTOMERS }, { correlations: { maxColumns: 2 } });
    expect(await statusOf(skipped)).toEqual([
      { correlation_status: "skipped_column_cap", correlation_columns: 3 },
    ]);
    expect(await skipped.all("SELECT * FROM eda_correlations")).toEqual([]);
    const forced = await profiled(
      { customers: CUSTOMERS },
      { correlations: { maxColumns: 2, includeBeyondCap: true } },
    );
    expect(await forced.all("SELECT * FROM eda_correlations")).toHaveLength(3);
  });

  it("reports correlations turned off", async () => {
    const off = await profiled({ customers: CUSTOMERS }, { correlations: { enabled: false } });
    expect((await statusOf(off))[0]?.correlation_status).toBe("disabled");
  });
});

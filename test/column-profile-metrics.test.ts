import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProfiles } from "../src/analytics/profiles/profiles.js";
import type { SqlRow } from "../src/snapshot/sql-runner.js";
import { BASE_DDL, createFixture, type Fixture } from "./explore-fixture.js";
import {
  mad,
  mean,
  numpyHistogram,
  pandasKurt,
  pandasSkew,
  quantileLinear,
  valueCounts,
  variance,
} from "./explore-reference.js";
import { baseTableDdl } from "./support/base-table-ddl.js";

const VALUES = [
  "10.50",
  "0",
  "-3.25",
  "100.01",
  "7",
  "7",
  "2.50",
  "1.01",
  null,
  "50.00",
  "0",
  "0.99",
];
const START_DATES = ["2020-01-01", "2020-01-01", "2020-02-15", "2020-03-31", "2021-06-30", null];

function relationships(values: readonly (string | null)[]) {
  return values.map((v, i) => [
    `r${String(i).padStart(3, "0")}`,
    `c${i % 3}`,
    "p1",
    i % 4 === 0 ? "return" : "purchase",
    START_DATES[i % START_DATES.length] ?? null,
    null,
    v,
  ]);
}

const TRAPS_DDL = [
  BASE_DDL[0],
  BASE_DDL[1],
  baseTableDdl("customer_products", ["constant_col DECIMAL(15,2)", "small_col DECIMAL(15,2)"]),
];

/** value 1.00..6.00 with 2.01 (rounding trap), a constant column, a column of three values. */
function buildTrapsOnce() {
  const value = ["1.00", "2.01", "3.00", "4.00", "5.00", "6.00"];
  const constant = ["5", "5", "5", "5", "5", null];
  const small = ["1", "2", "4", null, null, null];
  const rows = relationships(value).map((r, i) => [...r, constant[i] ?? null, small[i] ?? null]);
  return built({ customer_products: rows }, TRAPS_DDL);
}

/** The profile of relationships(VALUES), shared by the tests that only read it. */
let shared: Fixture;
beforeAll(async () => {
  shared = await createFixture({ customer_products: relationships(VALUES) });
  await buildProfiles(shared.db);
});
afterAll(() => shared.close());

async function profileOf(table: string, column: string, db = shared.db): Promise<SqlRow> {
  const rows = await db.all(
    "SELECT * FROM eda_column_profile WHERE table_name = ? AND column_name = ?",
    [table, column],
  );
  const row = rows[0];
  if (row === undefined) throw new Error(`no profile for ${table}.${column}`);
  return row;
}

const opened: Fixture[] = [];
afterAll(() => {
  for (const f of opened) f.close();
});

/** Creates and profiles a fixture, closed after all tests. */
async function built(rows: Parameters<typeof createFixture>[0], ddl?: readonly string[]) {
  const f = await createFixture(rows, ddl);
  opened.push(f);
  await buildProfiles(f.db);
  return f.db;
}

/** Runs a build once, however many tests ask for it. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= make();
    return value;
  };
}

const buildTraps = once(buildTrapsOnce);

describe("numeric column metrics (pandas parity)", () => {
  it("computes moments, quantiles and mad as pandas does on the non-null values", async () => {
    const p = await profileOf("customer_products", "value");
    const xs = VALUES.filter((v) => v !== null).map(Number);
    expect(p.semantic_type).toBe("numeric");
    expect(p.mean).toBeCloseTo(mean(xs), 10);
    expect(p.variance).toBeCloseTo(variance(xs), 8);
    expect(p.std).toBeCloseTo(Math.sqrt(variance(xs)), 10);
    expect(p.skewness).toBeCloseTo(pandasSkew(xs) ?? Number.NaN, 10);
    expect(p.kurtosis).toBeCloseTo(pandasKurt(xs) ?? Number.NaN, 10);
    expect(p.mad).toBeCloseTo(mad(xs), 10);
    const qs = [0.05, 0.25, 0.5, 0.75, 0.95].map((q) => quantileLinear(xs, q));
    expect([p.q05, p.q25, p.q50, p.q75, p.q95]).toEqual(qs.map((q) => expect.closeTo(q, 10)));
    expect(p.iqr).toBeCloseTo((qs[3] as number) - (qs[1] as number), 10);
    expect(p.value_range).toBeCloseTo(100.01 - -3.25, 10);
    expect(p.cv).toBeCloseTo(Math.sqrt(variance(xs)) / mean(xs), 10);
  });

  it("keeps min, max and sum exact as decimal text", async () => {
    const p = await profileOf("customer_products", "value");
    const cents = VALUES.filter((v) => v !== null).reduce(
      (s, v) => s + Math.round(Number(v) * 100),
      0,
    );
    expect(p.min_value).toBe("-3.25");
    expect(p.max_value).toBe("100.01");
    expect(p.sum_value).toBe((cents / 100).toFixed(2));
  });

  it("divides p_zeros and p_negative by n including nulls (ydata), not by the non-null count", async () => {
    const p = await profileOf("customer_products", "value");
    expect(Number(p.n_zeros)).toBe(2);
    expect(p.p_zeros).toBeCloseTo(2 / 12, 12);
    expect(Number(p.n_negative)).toBe(1);
    expect(p.p_negative).toBeCloseTo(1 / 12, 12);
  });

  it("does not round quantiles and mad of a DECIMAL column to its scale (DuckDB would give 1.05)", async () => {
    const p = await profileOf("customer_products", "value", await buildTraps());
    const xs = [1, 2.01, 3, 4, 5, 6];
    expect(p.q05).toBeCloseTo(quantileLinear(xs, 0.05), 12);
    expect(p.q05).not.toBeCloseTo(1.05, 6);
    expect(p.mad).toBeCloseTo(mad(xs), 12);
  });

  it("reports skewness and kurtosis 0 for a constant column (pandas), not NaN or null (DuckDB)", async () => {
    const p = await profileOf("customer_products", "constant_col", await buildTraps());
    expect(p.skewness).toBe(0);
    expect(p.kurtosis).toBe(0);
    expect(p.std).toBe(0);
  });

  it("leaves skewness unset below 3 values and kurtosis below 4, as pandas returns NaN", async () => {
    const p = await profileOf("customer_products", "small_col", await buildTraps());
    expect(p.skewness).toBeCloseTo(pandasSkew([1, 2, 4]) ?? Number.NaN, 12);
    expect(p.kurtosis).toBeNull();
  });
});

describe("counts and frequency tables", () => {
  it("counts n_distinct exactly and n_unique as values seen exactly once", async () => {
    const p = await profileOf("customer_products", "value");
    const counts = valueCounts(VALUES);
    expect(Number(p.n)).toBe(12);
    expect(Number(p.count_non_null)).toBe(11);
    expect(Number(p.n_missing)).toBe(1);
    expect(p.p_missing).toBeCloseTo(1 / 12, 12);
    expect(Number(p.n_distinct)).toBe(counts.size);
    const once = [...counts.values()].filter((c) => c === 1).length;
    expect(Number(p.n_unique)).toBe(once);
    expect(once).not.toBe(counts.size);
    expect(p.p_distinct).toBeCloseTo(counts.size / 11, 12);
    expect(p.p_unique).toBeCloseTo(once / 11, 12);
    expect(p.is_unique).toBe(false);
  });

  it("counts distinct values exactly where a HyperLogLog estimate is off", async () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `name-${i * 7919}`);
    const db = await built({
      customers: ids.map((id, i) => [`c${i}`, id, "retail", "UK", "2020-01-01", "active"]),
    });
    const p = await profileOf("customers", "customer_name", db);
    expect(Number(p.n_distinct)).toBe(3000);
    const [approx] = await db.all(
      "SELECT approx_count_distinct(customer_name) AS a FROM customers",
    );
    expect(Number(approx?.a)).not.toBe(3000);
  });
});

describe("histograms", () => {
  it("bins numbers as np.histogram with min(50, n_distinct) bins", async () => {
    const xs = VALUES.filter((v) => v !== null).map(Number);
    const k = Math.min(50, valueCounts(xs).size);
    const ref = numpyHistogram(xs, k);
    const bins = await shared.db.all(
      "SELECT bin, lower, upper, count FROM eda_histograms WHERE column_name = 'value' ORDER BY bin",
    );
    expect(bins.map((b) => Number(b.count))).toEqual(ref.counts);
    expect(bins.map((b) => b.lower)).toEqual(
      ref.edges.slice(0, k).map((e) => expect.closeTo(e, 9)),
    );
    expect(bins.at(-1)?.upper).toBe(100.01);
  });

  it("bins dates on epoch seconds and reports the date range", async () => {
    const p = await profileOf("customer_products", "start_date");
    const dates = VALUES.map((_, i) => START_DATES[i % START_DATES.length] ?? null).filter(
      (d): d is string => d !== null,
    );
    const epochs = dates.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
    expect(p.semantic_type).toBe("date");
    expect(p.min_value).toBe("2020-01-01");
    expect(p.max_value).toBe("2021-06-30");
    expect(p.value_range).toBe((Date.parse("2021-06-30") - Date.parse("2020-01-01")) / 86_400_000);
    const ref = numpyHistogram(epochs, Math.min(50, new Set(epochs).size));
    const bins = await shared.db.all(
      "SELECT count, lower FROM eda_histograms WHERE column_name = 'start_date' ORDER BY bin",
    );
    expect(bins.map((b) => Number(b.count))).toEqual(ref.counts);
    expect(bins[0]?.lower).toBe(Math.min(...epochs));
  });
});

describe("table-level statistics", () => {
  it("profiles the keyword column value and every catalog column, never more", async () => {
    const cols = await shared.db.all(
      "SELECT column_name FROM eda_column_profile WHERE table_name = 'customer_products' ORDER BY ordinal",
    );
    expect(cols.map((c) => c.column_name)).toEqual([
      "relationship_id",
      "customer_id",
      "product_id",
      "relationship_type",
      "start_date",
      "end_date",
      "value",
    ]);
    const [t] = await shared.db.all(
      "SELECT * FROM eda_table_profile WHERE table_name = 'customer_products'",
    );
    expect(t?.n_vars_all_missing).toBe(1);
  });
});

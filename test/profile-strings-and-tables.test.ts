import { afterAll, describe, expect, it } from "vitest";
import { buildProfiles } from "../src/analytics/profiles/profiles.js";
import type { SqlRunner } from "../src/snapshot/sql-runner.js";
import { BASE_DDL, columnProfileRow, createFixture, type Fixture } from "./explore-fixture.js";
import { imbalance, mean, median, valueCounts } from "./explore-reference.js";

const NAMES = [
  "Zoë",
  "🦆",
  "Ann-Marie",
  "Bo",
  null,
  "Cy",
  "Dee",
  "Eli",
  "Flo",
  "Gus",
  "Hal",
  "Ivy",
  "Jo",
  "Kai",
  "Lu",
  "Max",
];
const REGIONS = [
  "UK",
  "UK",
  "UK",
  "FR",
  "FR",
  "DE",
  "DE",
  "ES",
  "IT",
  "NL",
  "BE",
  "AT",
  "PL",
  "SE",
  null,
  "FI",
];

/**
 * customers: NAMES (code-point lengths), REGIONS (frequency table), status 8/8 (categorical,
 * balanced). products: row groups p1 ×3, p2 ×2, p3 (null category) ×2, p4 ×1.
 */
function buildStringsOnce(): Promise<SqlRunner> {
  const product = (id: string, category: string | null) => [
    id,
    "n",
    category,
    "merch",
    "2020-01-01",
    "active",
  ];
  return built({
    customers: NAMES.map((n, i) => [
      `c${i}`,
      n,
      "retail",
      REGIONS[i] ?? null,
      "2020-01-01",
      i % 2 ? "active" : "inactive",
    ]),
    products: [
      product("p1", "a"),
      product("p1", "a"),
      product("p1", "a"),
      product("p2", "b"),
      product("p2", "b"),
      product("p3", null),
      product("p3", null),
      product("p4", "d"),
    ],
  });
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

let strings: Promise<SqlRunner> | undefined;
/** The NAMES/REGIONS fixture, built once however many tests ask for it. */
function buildStrings(): Promise<SqlRunner> {
  strings ??= buildStringsOnce();
  return strings;
}

const profileOf = (table: string, column: string, db: SqlRunner) =>
  columnProfileRow(db, table, column);

describe("frequency tables", () => {
  it("lists the 10 most frequent values, ties broken by value, with frequency over n", async () => {
    const db = await buildStrings();
    const rows = await db.all(
      "SELECT rank, value, count, frequency FROM eda_top_values WHERE table_name = 'customers' AND column_name = 'region' ORDER BY rank",
    );
    const expected = [...valueCounts(REGIONS)]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 10);
    expect(rows.map((r) => [r.value, Number(r.count)])).toEqual(expected);
    expect(rows[0]?.frequency).toBeCloseTo(3 / REGIONS.length, 12);
  });
});

describe("text columns", () => {
  it("measures lengths in code points, not bytes (Zoë is 3, a duck emoji is 1)", async () => {
    const p = await profileOf("customers", "customer_name", await buildStrings());
    const lengths = NAMES.filter((n): n is string => n !== null).map((n) => [...n].length);
    expect(Number(p.min_length)).toBe(1);
    expect(Number(p.max_length)).toBe(Math.max(...lengths));
    expect(p.mean_length).toBeCloseTo(mean(lengths), 12);
    expect(p.median_length).toBeCloseTo(median(lengths), 12);
  });

  it("types strings as ydata does: categorical when few and repeated, text otherwise", async () => {
    const db = await buildStrings();
    expect((await profileOf("customers", "status", db)).semantic_type).toBe("categorical");
    expect((await profileOf("customers", "status", db)).imbalance).toBe(0);
    expect((await profileOf("customers", "customer_id", db)).semantic_type).toBe("text");
    expect((await profileOf("customers", "region", db)).semantic_type).toBe("text");
  });
});

describe("table-level statistics", () => {
  it("counts duplicated row groups (ydata n_duplicates), with NULLs grouping together", async () => {
    const db = await buildStrings();
    const [t] = await db.all("SELECT * FROM eda_table_profile WHERE table_name = 'products'");
    expect(Number(t?.n_duplicates)).toBe(3);
    expect(Number(t?.n_duplicate_rows)).toBe(4);
    expect(t?.p_duplicates).toBeCloseTo(3 / 8, 12);
    expect(Number(t?.n_cells_missing)).toBe(2);
    expect(t?.p_cells_missing).toBeCloseTo(2 / (8 * 6), 12);
    expect(t?.n_vars_with_missing).toBe(1);
  });
});

describe("types beyond the contract's", () => {
  const DDL = [
    `CREATE TABLE customers (customer_id VARCHAR, vip BOOLEAN, score DOUBLE, tags VARCHAR[])`,
    BASE_DDL[1],
    BASE_DDL[2],
  ];
  const SCORES = [1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, Number.POSITIVE_INFINITY, null];

  it("profiles booleans, doubles with infinities, and leaves unsupported types to counts", async () => {
    const f = await createFixture({}, DDL);
    try {
      for (const [i, score] of SCORES.entries()) {
        await f.db.run("INSERT INTO customers VALUES (?, ?, ?, ['a'])", [
          `c${i}`,
          i % 3 === 0,
          score === Number.POSITIVE_INFINITY ? "inf" : score,
        ]);
      }
      await buildProfiles(f.db);
      const vip = await profileOf("customers", "vip", f.db);
      expect([vip.semantic_type, Number(vip.n_distinct)]).toEqual(["boolean", 2]);
      expect(vip.imbalance).toBeCloseTo(imbalance([3, 6]), 12);
      const score = await profileOf("customers", "score", f.db);
      expect(score.semantic_type).toBe("numeric");
      expect(Number(score.n_infinite)).toBe(1);
      expect(score.p_infinite).toBeCloseTo(1 / 9, 12);
      const bins = await f.db.all(
        "SELECT lower, upper, count FROM eda_histograms WHERE column_name = 'score' ORDER BY bin",
      );
      expect(bins.reduce((sum, b) => sum + Number(b.count), 0)).toBe(7);
      expect([bins[0]?.lower, bins.at(-1)?.upper]).toEqual([1.5, 7.5]);
      const tags = await profileOf("customers", "tags", f.db);
      expect([tags.semantic_type, Number(tags.count_non_null), Number(tags.n_distinct)]).toEqual([
        "unsupported",
        9,
        0,
      ]);
      const alerts = await f.db.all(
        "SELECT alert_type FROM eda_alerts WHERE column_name = 'score'",
      );
      expect(alerts.map((a) => a.alert_type)).toContain("INFINITE");
    } finally {
      f.close();
    }
  });
});

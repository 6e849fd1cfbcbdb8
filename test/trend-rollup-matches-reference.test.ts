import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  TREND_GRANULARITIES,
  TREND_ROLLUP_ALL_SELECT,
  TREND_ROLLUP_SELECT,
} from "../src/analytics/trends/trend-rollup-sql.js";
import { type AnalyticsFixture, generateData, openAnalyticsFixture } from "./analytics-fixture.js";
import {
  REFERENCE_ROLLUP_ALL_SELECT,
  REFERENCE_ROLLUP_SELECT,
} from "./support/trend-rollup-reference-sql.js";

/*
 * The roll-up computes each customer's runs of open relationships once at day grain and
 * coarsens them per granularity; the reference computes them per granularity from every
 * relationship. Both must give the same rows, exactly (EXCEPT ALL both ways), on a seeded data
 * set with orphans, missing dimensions, open and ended relationships, ones that end before
 * they start and islands that merge only across categories, over a calendar that starts before
 * the first relationship (events before it only seed the running sums) and one that starts
 * after it.
 */
let fixture: AnalyticsFixture;

beforeAll(async () => {
  const generated = generateData(20260412, 700, 40, 4);
  // Extra rows on the edges: a one-day relationship, same-day restarts, a gap of one day.
  const edges = [
    {
      id: "E1",
      customer: "C00001",
      product: "P001",
      start: "2021-03-01",
      end: "2021-03-01",
      value: "1.00",
    },
    {
      id: "E2",
      customer: "C00001",
      product: "P001",
      start: "2021-03-02",
      end: "2021-03-31",
      value: "2.00",
    },
    {
      id: "E3",
      customer: "C00001",
      product: "P001",
      start: "2021-04-02",
      end: null,
      value: "3.00",
    },
    {
      id: "E4",
      customer: "C00002",
      product: "P002",
      start: "2021-06-30",
      end: "2021-07-01",
      value: "4.00",
    },
    // Islands that merge only across categories: two cat1 islands bridged by cat2, a same-day
    // start in two categories, a later cat3 island, and a never-open cat3 relationship that
    // starts before cat3's first island (the category's first start).
    ...(
      [
        ["E5", "P001", "2021-02-01", "2021-02-10"],
        ["E6", "P002", "2021-02-05", "2021-02-20"],
        ["E7", "P001", "2021-02-15", "2021-02-28"],
        ["E8", "P002", "2021-02-15", "2021-03-05"],
        ["E9", "P003", "2021-03-20", "2021-03-25"],
        ["E10", "P003", "2021-03-10", "2021-03-01"],
      ] as const
    ).map(([id, product, start, end]) => ({
      id,
      customer: "C00003",
      product,
      start,
      end,
      value: "5.00",
    })),
  ];
  const data = { ...generated, relationships: [...generated.relationships, ...edges] };
  fixture = await openAnalyticsFixture(data, {}, false);
});

afterAll(() => fixture.close());

/** Rows of `a` not in `b` plus rows of `b` not in `a`, counted with multiplicity. */
async function difference(a: string, b: string, params: readonly string[]): Promise<number> {
  const [row] = await fixture.db.all(
    `SELECT (SELECT count(*) FROM ((${a}) EXCEPT ALL (${b})))
          + (SELECT count(*) FROM ((${b}) EXCEPT ALL (${a}))) AS n`,
    [...params, ...params, ...params, ...params],
  );
  return Number(row?.n);
}

const ALL = ["[]", "[]", "[]"];

describe("the trend roll-up equals the per-granularity reference", () => {
  it("for the build's statement of all four granularities", async () => {
    for (const [first, last] of [
      ["2021-01-01", "2023-08-01"],
      ["2021-05-15", "2022-02-10"],
    ] as const) {
      const params = [...ALL, first, last];
      const [count] = await fixture.db.all(
        `SELECT count(*) AS n FROM (${TREND_ROLLUP_ALL_SELECT})`,
        params,
      );
      expect(Number(count?.n)).toBeGreaterThan(1000);
      expect(await difference(TREND_ROLLUP_ALL_SELECT, REFERENCE_ROLLUP_ALL_SELECT, params)).toBe(
        0,
      );
    }
  });

  it("for each granularity's own statement, with and without filters", async () => {
    const filters = [ALL, ['["north", "east"]', "[]", '["cat1"]'], ["[]", '["sme"]', "[]"]];
    for (const g of TREND_GRANULARITIES) {
      for (const filter of filters) {
        const params = [...filter, "2021-02-01", "2023-06-30"];
        expect(await difference(TREND_ROLLUP_SELECT[g], REFERENCE_ROLLUP_SELECT[g], params)).toBe(
          0,
        );
      }
    }
  });
});

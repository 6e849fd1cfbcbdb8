import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getTrends, type TrendResult } from "../src/query/trend-queries.js";
import type { TrendValue } from "../src/query/trend-values.js";
import {
  type AnalyticsFixture,
  generateData,
  openAnalyticsFixture,
  type TestData,
} from "./analytics-fixture.js";
import { type Granularity, type ReferenceTrendArgs, referenceTrends } from "./trend-reference.js";

/*
 * Worked by hand, by month (reference date 2024-04-11, the day after the last start):
 *   r1 x loans 2024-01-10 .. 2024-03-05  100.00     r2 x cards 2024-02-15 ..        50.00
 *   r3 y loans 2024-02-01 .. 2024-02-20   30.00     r4 y cards 2024-04-10 ..        20.00
 *   r5 z cards 2024-03-01 .. 2024-02-01    5.00  (ends before it starts: never open)
 *           revenue  new rel  ended  open at start  churn  active  new customers
 *   Jan      100.00     1       0         0          -       1 x       1 x
 *   Feb       80.00     2       2 r3 r5   1 r1       2.0     2 x y     1 y
 *   Mar        5.00     1       1 r1      2 r1 r2    0.5     1 x       1 z
 *   Apr       20.00     1       0         1 r2       0.0     2 x y     0
 * By category, new customers are new to the category: cards gets x in Feb, z in Mar, y in Apr.
 */
const rel = (
  id: string,
  customer: string,
  product: string,
  start: string,
  end: string | null,
  value: string,
) => ({
  id,
  customer,
  product,
  start,
  end,
  value,
});
const HAND: TestData = {
  customers: [
    { id: "x", region: "north", type: "retail" },
    { id: "y", region: "south", type: "sme" },
    { id: "z", region: "north", type: "sme" },
  ],
  products: [
    { id: "L", category: "loans" },
    { id: "K", category: "cards" },
  ],
  relationships: [
    rel("r1", "x", "L", "2024-01-10", "2024-03-05", "100.00"),
    rel("r2", "x", "K", "2024-02-15", null, "50.00"),
    rel("r3", "y", "L", "2024-02-01", "2024-02-20", "30.00"),
    rel("r4", "y", "K", "2024-04-10", null, "20.00"),
    rel("r5", "z", "K", "2024-03-01", "2024-02-01", "5.00"),
  ],
};

const column = (result: TrendResult, metric: string, seriesIndex = 0): (TrendValue | undefined)[] =>
  result.series[seriesIndex]?.points.map((p) => p.values.find((v) => v.metric === metric)) ?? [];

describe("trend definitions worked by hand", () => {
  let fx: AnalyticsFixture;
  beforeAll(async () => {
    fx = await openAnalyticsFixture(HAND);
  });
  afterAll(() => fx.close());

  it("computes every metric per month with its change against the previous month", async () => {
    const result = await getTrends(fx.db, {});
    expect(result.computedFrom).toBe("rollup");
    expect(result.series).toHaveLength(1);
    expect(result.series[0]?.points.map((p) => [p.periodStart, p.periodEnd])).toEqual([
      ["2024-01-01", "2024-01-31"],
      ["2024-02-01", "2024-02-29"],
      ["2024-03-01", "2024-03-31"],
      ["2024-04-01", "2024-04-30"],
    ]);
    expect(column(result, "revenue").map((v) => v?.exactValue)).toEqual([
      "100.00",
      "80.00",
      "5.00",
      "20.00",
    ]);
    // April holds the reference date (2024-04-11): the data ends inside it, so it is partial
    // and not compared with March.
    expect(result.series[0]?.points.map((p) => p.partial)).toEqual([false, false, false, true]);
    expect(column(result, "revenue").map((v) => v?.exactChange)).toEqual([
      "100.00",
      "-20.00",
      "-75.00",
      null,
    ]);
    expect(column(result, "revenue").map((v) => v?.changePercent)).toEqual([
      null,
      -20,
      -93.75,
      null,
    ]);
    expect(column(result, "revenue").map((v) => v?.previousValue)).toEqual([0, 100, 80, 5]);
    expect(column(result, "new_relationships").map((v) => v?.value)).toEqual([1, 2, 1, 1]);
    expect(column(result, "ended_relationships").map((v) => v?.value)).toEqual([0, 2, 1, 0]);
    expect(column(result, "relationship_churn_rate").map((v) => v?.value)).toEqual([
      null,
      2,
      0.5,
      0,
    ]);
    expect(column(result, "relationship_churn_rate").map((v) => v?.change)).toEqual([
      null,
      null,
      -1.5,
      null,
    ]);
    expect(column(result, "active_customers").map((v) => v?.value)).toEqual([1, 2, 1, 2]);
    expect(column(result, "new_customers").map((v) => v?.value)).toEqual([1, 1, 1, 0]);
    expect(column(result, "new_customers").map((v) => v?.exactChange)).toEqual([
      "1",
      "0",
      "0",
      null,
    ]);
  });

  it("marks every period the data ends inside as partial, at every granularity", async () => {
    const quarters = await getTrends(fx.db, { granularity: "quarter", metrics: ["revenue"] });
    expect(quarters.series[0]?.points.map((p) => [p.periodStart, p.partial])).toEqual([
      ["2024-01-01", false],
      ["2024-04-01", true],
    ]);
    expect(column(quarters, "revenue")[1]?.change).toBeNull();
    const days = await getTrends(fx.db, {
      granularity: "day",
      metrics: ["new_relationships"],
      fromDate: "2024-04-09",
      toDate: "2024-04-12",
    });
    // The last start is 2024-04-10; the reference date is the day after.
    expect(days.series[0]?.points.map((p) => [p.periodStart, p.partial])).toEqual([
      ["2024-04-09", false],
      ["2024-04-10", false],
      ["2024-04-11", true],
      ["2024-04-12", true],
    ]);
  });

  it("groups by category with new customers new to the category", async () => {
    const result = await getTrends(fx.db, {
      groupBy: "product_category",
      metrics: ["new_customers", "active_customers"],
    });
    expect(result.series.map((s) => s.groupKey)).toEqual(["cards", "loans"]);
    expect(column(result, "new_customers", 0).map((v) => v?.value)).toEqual([0, 1, 1, 1]);
    expect(column(result, "active_customers", 0).map((v) => v?.value)).toEqual([0, 1, 1, 2]);
    expect(column(result, "new_customers", 1).map((v) => v?.value)).toEqual([1, 1, 0, 0]);
    expect(column(result, "active_customers", 1).map((v) => v?.value)).toEqual([1, 2, 1, 0]);
  });

  it("answers quarters, regions and filters", async () => {
    const q = await getTrends(fx.db, {
      granularity: "quarter",
      metrics: ["revenue", "active_customers"],
    });
    expect(column(q, "revenue").map((v) => v?.exactValue)).toEqual(["185.00", "20.00"]);
    expect(column(q, "active_customers").map((v) => v?.value)).toEqual([2, 2]);
    const north = await getTrends(fx.db, {
      groupBy: "region",
      regions: ["north"],
      metrics: ["revenue"],
    });
    expect(north.series.map((s) => s.groupKey)).toEqual(["north"]);
    expect(column(north, "revenue").map((v) => v?.exactValue)).toEqual([
      "100.00",
      "50.00",
      "5.00",
      "0.00",
    ]);
    const both = await getTrends(fx.db, {
      productCategories: ["cards", "loans"],
      metrics: ["active_customers"],
    });
    expect(both.computedFrom).toBe("computed");
    expect(column(both, "active_customers").map((v) => v?.value)).toEqual([1, 2, 1, 2]);
  });

  it("rejects bad ranges and too many periods", async () => {
    await expect(
      getTrends(fx.db, { fromDate: "2024-05-01", toDate: "2024-01-01" }),
    ).rejects.toMatchObject({
      kind: "invalid_argument",
      field: "from_date",
    });
    await expect(
      getTrends(fx.db, { granularity: "day", fromDate: "2000-01-01" }),
    ).rejects.toMatchObject({
      kind: "invalid_argument",
    });
  });
});

describe("trends on generated data against a brute-force reference", () => {
  const data = generateData(3, 400, 12, 3);
  let fx: AnalyticsFixture;
  beforeAll(async () => {
    fx = await openAnalyticsFixture(data);
  });
  afterAll(() => fx.close());

  const ranges: Record<Granularity, [string, string]> = {
    day: ["2022-02-20", "2022-04-10"],
    week: ["2021-11-03", "2022-06-30"],
    month: ["2021-01-01", "2023-06-19"],
    quarter: ["2021-01-01", "2023-12-31"],
  };

  async function expectMatches(args: ReferenceTrendArgs): Promise<TrendResult> {
    const got = await getTrends(fx.db, {
      granularity: args.granularity,
      fromDate: args.from,
      toDate: args.to,
      groupBy: args.groupBy,
      ...(args.regions === undefined ? {} : { regions: args.regions }),
      ...(args.productCategories === undefined
        ? {}
        : { productCategories: args.productCategories }),
    });
    const expected = referenceTrends(data, args);
    const label = JSON.stringify(args);
    expect(
      got.series.map((s) => s.groupKey ?? ""),
      label,
    ).toEqual(
      [...expected.keys()]
        .map((k) => k ?? "")
        .sort((a, b) => (a === "" ? 1 : b === "" ? -1 : a < b ? -1 : 1)),
    );
    for (const s of got.series) {
      const points = expected.get(args.groupBy === "none" ? "" : s.groupKey) ?? [];
      s.points.forEach((p, i) => {
        const e = points[i + 1];
        const prev = points[i];
        const v = (m: string) => p.values.find((x) => x.metric === m);
        expect(p.periodStart, label).toBe(e?.periodStart);
        expect(Math.round((v("revenue")?.value ?? 0) * 100), `${label} ${p.periodStart}`).toBe(
          e?.revenueCents,
        );
        expect(v("active_customers")?.value, `${label} ${p.periodStart}`).toBe(e?.activeCustomers);
        expect(v("new_customers")?.value).toBe(e?.newCustomers);
        expect(v("new_relationships")?.value).toBe(e?.newRelationships);
        expect(v("ended_relationships")?.value).toBe(e?.endedRelationships);
        expect(v("active_customers")?.previousValue).toBe(prev?.activeCustomers);
        const rate =
          e === undefined || e.openAtStart === 0 ? null : e.endedRelationships / e.openAtStart;
        expect(v("relationship_churn_rate")?.value).toBe(rate);
      });
    }
    return got;
  }

  it("agrees for every granularity and grouping", async () => {
    for (const granularity of ["day", "week", "month", "quarter"] as const) {
      for (const groupBy of ["none", "region", "product_category", "customer_type"] as const) {
        const [from, to] = ranges[granularity];
        await expectMatches({ granularity, groupBy, from, to, regions: ["north", "east"] });
      }
    }
  });

  it("agrees when the roll-up cannot serve: several categories, or past the reference date", async () => {
    const several = await expectMatches({
      granularity: "month",
      groupBy: "none",
      from: "2021-03-01",
      to: "2023-01-01",
      productCategories: ["cat0", "cat2"],
    });
    expect(several.computedFrom).toBe("computed");
    const later = await expectMatches({
      granularity: "quarter",
      groupBy: "region",
      from: "2022-01-01",
      to: "2024-12-31",
    });
    expect(later.computedFrom).toBe("computed");
    const one = await expectMatches({
      granularity: "week",
      groupBy: "customer_type",
      from: "2021-06-01",
      to: "2021-12-31",
      productCategories: ["cat1"],
    });
    expect(one.computedFrom).toBe("rollup");
  });
});

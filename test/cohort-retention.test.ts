import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getCohortRetention } from "../src/query/segmentation-queries.js";
import {
  type AnalyticsFixture,
  generateData,
  openAnalyticsFixture,
  type TestData,
} from "./analytics-fixture.js";
import { periodStart } from "./trend-reference.js";

/*
 * Four customers worked by hand (values in brackets):
 *   a: 2024-01-05 [10], 2024-02-10 [20], 2024-04-01 [30]   month cohort Jan, week cohort 01-01
 *   b: 2024-01-20 [5],  2024-03-15 [7]                     month cohort Jan, week cohort 01-15
 *   c: 2024-02-01 [1],  2024-02-20 [2]                     month cohort Feb, week cohort 01-29
 *   d: 2024-03-31 [100]                                    month cohort Mar, week cohort 03-25
 * Month matrix (active / size, revenue), the last month with a start being April:
 *   Jan (2): k0 2 [15]  k1 1 [20]  k2 1 [7]  k3 1 [30]
 *   Feb (1): k0 1 [3]   k1 0       k2 0
 *   Mar (1): k0 1 [100] k1 0
 * Weeks are ISO (Monday): a is active in weeks 0, 5 (02-05) and 13 (04-01) of its cohort.
 */
const rel = (id: string, customer: string, start: string, value: string) => ({
  id,
  customer,
  product: "P",
  start,
  end: null,
  value,
});
const HAND: TestData = {
  customers: ["a", "b", "c", "d"].map((id) => ({ id, type: null, region: null })),
  products: [{ id: "P", category: "x" }],
  relationships: [
    rel("1", "a", "2024-01-05", "10.00"),
    rel("2", "a", "2024-02-10", "20.00"),
    rel("3", "a", "2024-04-01", "30.00"),
    rel("4", "b", "2024-01-20", "5.00"),
    rel("5", "b", "2024-03-15", "7.00"),
    rel("6", "c", "2024-02-01", "1.00"),
    rel("7", "c", "2024-02-20", "2.00"),
    rel("8", "d", "2024-03-31", "100.00"),
  ],
};

describe("cohort retention", () => {
  let fx: AnalyticsFixture;
  let generated: AnalyticsFixture;
  const data = generateData(5, 400, 10, 3);
  beforeAll(async () => {
    fx = await openAnalyticsFixture(HAND);
    generated = await openAnalyticsFixture(data);
  });
  afterAll(() => {
    fx.close();
    generated.close();
  });

  it("builds the monthly matrix worked by hand, zeros included", async () => {
    const { cohorts } = await getCohortRetention(fx.db, {});
    expect(cohorts.map((c) => [c.cohortStart, c.size])).toEqual([
      ["2024-01-01", 2],
      ["2024-02-01", 1],
      ["2024-03-01", 1],
    ]);
    expect(
      cohorts[0]?.periods.map((p) => [
        p.period,
        p.periodStart,
        p.activeCustomers,
        p.retention,
        p.revenue,
      ]),
    ).toEqual([
      [0, "2024-01-01", 2, 1, "15.00"],
      [1, "2024-02-01", 1, 0.5, "20.00"],
      [2, "2024-03-01", 1, 0.5, "7.00"],
      [3, "2024-04-01", 1, 0.5, "30.00"],
    ]);
    expect(cohorts[1]?.periods.map((p) => p.activeCustomers)).toEqual([1, 0, 0]);
    expect(cohorts[2]?.periods.map((p) => p.revenue)).toEqual(["100.00", "0.00"]);
  });

  it("builds ISO-week cohorts", async () => {
    const { cohorts } = await getCohortRetention(fx.db, { granularity: "week" });
    expect(cohorts.map((c) => c.cohortStart)).toEqual([
      "2024-01-01",
      "2024-01-15",
      "2024-01-29",
      "2024-03-25",
    ]);
    const a = cohorts[0]?.periods ?? [];
    expect(a).toHaveLength(14);
    expect(a.filter((p) => p.activeCustomers > 0).map((p) => p.period)).toEqual([0, 5, 13]);
    expect(cohorts[1]?.periods.filter((p) => p.activeCustomers > 0).map((p) => p.period)).toEqual([
      0, 8,
    ]);
    expect(cohorts[2]?.periods.filter((p) => p.activeCustomers > 0).map((p) => p.period)).toEqual([
      0, 3,
    ]);
  });

  it("selects cohorts by range and cuts periods", async () => {
    const late = await getCohortRetention(fx.db, { fromDate: "2024-02-15" });
    expect(late.cohorts.map((c) => c.cohortStart)).toEqual(["2024-02-01", "2024-03-01"]);
    const early = await getCohortRetention(fx.db, { toDate: "2024-02-01", maxPeriods: 2 });
    expect(early.cohorts.map((c) => [c.cohortStart, c.periods.length])).toEqual([
      ["2024-01-01", 2],
      ["2024-02-01", 2],
    ]);
    await expect(
      getCohortRetention(fx.db, { fromDate: "2024-03-01", toDate: "2024-02-01" }),
    ).rejects.toMatchObject({
      kind: "invalid_argument",
      field: "from_date",
    });
  });

  it("matches a plain computation on generated data", async () => {
    const first = new Map<string, string>();
    const active = new Map<string, Set<string>>();
    for (const r of data.relationships) {
      const m = periodStart(r.start ?? "", "month");
      if (!first.has(r.customer) || m < (first.get(r.customer) ?? "")) first.set(r.customer, m);
    }
    for (const r of data.relationships) {
      const key = `${first.get(r.customer)}|${periodStart(r.start ?? "", "month")}`;
      active.set(key, (active.get(key) ?? new Set()).add(r.customer));
    }
    const { cohorts } = await getCohortRetention(generated.db, { granularity: "month" });
    expect(cohorts.reduce((s, c) => s + c.size, 0)).toBe(first.size);
    for (const c of cohorts) {
      expect(c.size).toBe([...first.values()].filter((m) => m === c.cohortStart).length);
      for (const p of c.periods) {
        const expected = active.get(`${c.cohortStart}|${p.periodStart}`)?.size ?? 0;
        expect(p.activeCustomers).toBe(expected);
        expect(p.retention).toBeCloseTo(expected / c.size, 15);
      }
    }
  });
});

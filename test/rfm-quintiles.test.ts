import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getCustomerSegment, getSegmentSummary } from "../src/query/segmentation-queries.js";
import {
  type AnalyticsFixture,
  addDays,
  generateData,
  openAnalyticsFixture,
  type TestData,
  type TestRelationship,
} from "./analytics-fixture.js";
import { formatCents, referenceRfm } from "./rfm-reference.js";

/*
 * Ten scored customers worked by hand; the reference date is 2024-06-01 (last start 2024-05-31
 * plus one day).
 *   id   F  recency  monetary | F rank  R  F  M  segment
 *   c01  1   55       5.00    |   1     1  1  1  hibernating
 *   c02  1    1      10.00    |   2     5  1  1  new_customers
 *   c03  1   34      10.01    |   3     1  2  2  hibernating
 *   c04  1   21      20.00    |   4     2  2  2  hibernating
 *   c05  1   13      30.00    |   5     2  3  3  at_risk
 *   c06  1    8      40.00    |   6     3  3  3  need_attention
 *   c07  2    5      50.00    |   7     3  4  4  loyal_customers
 *   c08  2    3      60.00    |   8     4  4  4  loyal_customers
 *   c09  3    2      70.00    |   9     4  5  5  loyal_customers
 *   c10  5    1      80.00    |  10     5  5  5  champions
 * Recency edges (numpy linear on [1,1,2,3,5,8,13,21,34,55]): 1.8, 4.2, 10, 23.6.
 * F rank edges on 1..10: 2.8, 4.6, 6.4, 8.2 — six customers share F = 1 but get F 1, 2 or 3.
 * Monetary edges: 10.008, 26, 44, 62. On DECIMAL(15,2) DuckDB would round 10.008 to 10.01 and
 * score c03's 10.01 as 1; pandas (and this service) give 2.
 * c11 totals 0.00 and c12 -5.00: both unscored; c13 is a customer without relationships.
 */
const REF = "2024-06-01";
const TABLE: [string, number, number, string][] = [
  ["c01", 1, 55, "5.00"],
  ["c02", 1, 1, "10.00"],
  ["c03", 1, 34, "10.01"],
  ["c04", 1, 21, "20.00"],
  ["c05", 1, 13, "30.00"],
  ["c06", 1, 8, "40.00"],
  ["c07", 2, 5, "50.00"],
  ["c08", 2, 3, "60.00"],
  ["c09", 3, 2, "70.00"],
  ["c10", 5, 1, "80.00"],
  ["c11", 1, 4, "0.00"],
  ["c12", 2, 6, "-5.00"],
];

function relationships(): TestRelationship[] {
  const out: TestRelationship[] = [];
  for (const [id, frequency, recency, monetary] of TABLE) {
    for (let k = 0; k < frequency; k++) {
      out.push({
        id: `${id}-r${k}`,
        customer: id,
        product: "P1",
        start: addDays(REF, -recency - 30 * k),
        end: null,
        value: k === 0 ? monetary : "0.00",
      });
    }
  }
  return out;
}

const HAND: TestData = {
  customers: [...TABLE.map(([id]) => id), "c13"].map((id) => ({
    id,
    type: "retail",
    region: "north",
  })),
  products: [{ id: "P1", category: "loans" }],
  relationships: relationships(),
};

const EXPECTED: Record<string, [number, number, number, string]> = {
  c01: [1, 1, 1, "hibernating"],
  c02: [5, 1, 1, "new_customers"],
  c03: [1, 2, 2, "hibernating"],
  c04: [2, 2, 2, "hibernating"],
  c05: [2, 3, 3, "at_risk"],
  c06: [3, 3, 3, "need_attention"],
  c07: [3, 4, 4, "loyal_customers"],
  c08: [4, 4, 4, "loyal_customers"],
  c09: [4, 5, 5, "loyal_customers"],
  c10: [5, 5, 5, "champions"],
};

describe("RFM scores on hand-worked customers", () => {
  let fx: AnalyticsFixture;
  beforeAll(async () => {
    fx = await openAnalyticsFixture(HAND);
  });
  afterAll(() => fx.close());

  it("scores as pandas qcut: ranked F ties, reversed R, unrounded monetary edges", async () => {
    for (const [id, [r, f, m, segment]] of Object.entries(EXPECTED)) {
      const got = await getCustomerSegment(fx.db, { customerId: id });
      expect([got.rScore, got.fScore, got.mScore, got.segment], id).toEqual([r, f, m, segment]);
      expect(got.rfmScore).toBe(`${r}${f}${m}`);
    }
  });

  it("measures recency in whole days to the day after the last start (not off by one)", async () => {
    const latest = await getCustomerSegment(fx.db, { customerId: "c10" });
    expect(latest.referenceDate).toBe(REF);
    expect(latest.lastStartDate).toBe("2024-05-31");
    expect(latest.recency).toBe(1);
    expect(latest.frequency).toBe(5);
    expect(latest.monetary).toBe("80.00");
  });

  it("leaves non-positive totals and customers without relationships unscored", async () => {
    for (const id of ["c11", "c12", "c13"]) {
      const got = await getCustomerSegment(fx.db, { customerId: id });
      expect(got.scored).toBe(false);
      expect(got.segment).toBeNull();
    }
    expect((await getCustomerSegment(fx.db, { customerId: "c12" })).monetary).toBe("-5.00");
    expect((await getCustomerSegment(fx.db, { customerId: "c13" })).frequency).toBe(0);
    await expect(getCustomerSegment(fx.db, { customerId: "nobody" })).rejects.toMatchObject({
      kind: "not_found",
      field: "customer_id",
    });
    await expect(
      getCustomerSegment(fx.db, { customerId: "c01", referenceDate: "2024-02-30" }),
    ).rejects.toMatchObject({ kind: "invalid_argument", field: "reference_date" });
  });

  it("summarises all ten segments with counts, shares and means", async () => {
    const summary = await getSegmentSummary(fx.db, {});
    expect(summary.scoredCustomers).toBe(10);
    expect(summary.segments.map((s) => s.segment)).toEqual([
      "hibernating",
      "at_risk",
      "cant_lose",
      "about_to_sleep",
      "need_attention",
      "loyal_customers",
      "promising",
      "new_customers",
      "potential_loyalists",
      "champions",
    ]);
    const hibernating = summary.segments[0];
    expect(hibernating?.customers).toBe(3);
    expect(hibernating?.share).toBeCloseTo(0.3, 15);
    expect(hibernating?.meanRecency).toBeCloseTo((55 + 34 + 21) / 3, 12);
    expect(hibernating?.meanFrequency).toBe(1);
    expect(hibernating?.totalMonetary).toBe("35.01");
    expect(summary.segments[2]).toMatchObject({ customers: 0, share: 0, totalMonetary: "0.00" });
  });
});

describe("RFM on generated customers against a pandas-style reference", () => {
  const data = generateData(11, 700, 20, 3);
  let fx: AnalyticsFixture;
  beforeAll(async () => {
    fx = await openAnalyticsFixture(data);
  });
  afterAll(() => fx.close());

  it("agrees customer by customer at the default and at an earlier reference date", async () => {
    const { referenceDate } = await getSegmentSummary(fx.db, {});
    for (const ref of [referenceDate, "2022-09-15"]) {
      const expected = referenceRfm(data, ref);
      for (const customer of data.customers.filter((_, i) => i % 12 === 0)) {
        const e = expected.get(customer.id);
        const got = await getCustomerSegment(fx.db, {
          customerId: customer.id,
          referenceDate: ref,
        });
        expect(got.scored, customer.id).toBe(e?.scored ?? false);
        expect(got.frequency).toBe(e?.frequency ?? 0);
        expect(got.monetary).toBe(e === undefined ? "0.00" : formatCents(e.monetaryCents));
        expect([got.rScore, got.fScore, got.mScore, got.segment]).toEqual([
          e?.r ?? null,
          e?.f ?? null,
          e?.m ?? null,
          e?.segment ?? null,
        ]);
      }
    }
  });

  it("summarises a filtered population with the whole population's scores", async () => {
    const expected = referenceRfm(data, "2022-09-15");
    const north = new Set(data.customers.filter((c) => c.region === "north").map((c) => c.id));
    const summary = await getSegmentSummary(fx.db, {
      referenceDate: "2022-09-15",
      regions: ["north"],
    });
    const scoredNorth = [...expected.values()].filter((x) => x.scored && north.has(x.customerId));
    expect(summary.scoredCustomers).toBe(scoredNorth.length);
    for (const s of summary.segments) {
      const members = scoredNorth.filter((x) => x.segment === s.segment);
      expect(s.customers, s.segment).toBe(members.length);
      expect(s.totalMonetary).toBe(
        formatCents(members.reduce((sum, x) => sum + x.monetaryCents, 0n)),
      );
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COHORT_ACTIVITY_SELECT } from "../src/analytics/cohorts/cohorts.js";
import { type AnalyticsFixture, generateData, openAnalyticsFixture } from "./analytics-fixture.js";
import { REFERENCE_COHORT_ACTIVITY_SELECT } from "./support/cohort-activity-reference-sql.js";

/*
 * The cohort build reads each customer's cohorts from their first start and counts distinct
 * customers on integer codes; the reference groups every relationship per granularity and
 * counts customer ids. Both must give the same rows, exactly (EXCEPT ALL both ways), on a
 * seeded data set with edge rows: a first start on a Sunday that ends a month (its week starts
 * in the month before), several starts on one day, a start without a date or a value, and a
 * customer whose only relationship has no start date.
 */
let fixture: AnalyticsFixture;

beforeAll(async () => {
  const generated = generateData(20260413, 600, 30, 4);
  const edge = (id: string, customer: string, start: string | null, value: string | null) => ({
    id,
    customer,
    product: "P001",
    start,
    end: null,
    value,
  });
  const edges = [
    edge("E1", "C90001", "2021-02-28", "1.00"),
    edge("E2", "C90001", "2021-03-01", "2.00"),
    edge("E3", "C90001", "2021-03-01", null),
    edge("E4", "C90001", null, "4.00"),
    edge("E5", "C90002", null, "5.00"),
    edge("E6", "C00001", "2019-12-30", "6.00"),
  ];
  const customers = [
    ...generated.customers,
    ...["C90001", "C90002"].map((id) => ({ id, type: null, region: null })),
  ];
  fixture = await openAnalyticsFixture(
    { ...generated, customers, relationships: [...generated.relationships, ...edges] },
    {},
    false,
  );
});

afterAll(() => fixture.close());

describe("cohort_activity equals the reference", () => {
  it("row for row, both ways", async () => {
    const [row] = await fixture.db.all(
      `SELECT (SELECT count(*) FROM ((${COHORT_ACTIVITY_SELECT}) EXCEPT ALL (${REFERENCE_COHORT_ACTIVITY_SELECT})))
            + (SELECT count(*) FROM ((${REFERENCE_COHORT_ACTIVITY_SELECT}) EXCEPT ALL (${COHORT_ACTIVITY_SELECT}))) AS n,
              (SELECT count(*) FROM (${COHORT_ACTIVITY_SELECT})) AS rows`,
    );
    expect(Number(row?.rows)).toBeGreaterThan(1000);
    expect(Number(row?.n)).toBe(0);
  });
});

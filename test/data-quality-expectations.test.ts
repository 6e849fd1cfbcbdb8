import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  buildDataQuality,
  type DataQualityOptions,
} from "../src/analytics/data-quality/data-quality.js";
import type { SqlRunner } from "../src/snapshot/sql-runner.js";
import {
  counts,
  OPTIONS,
  ROWS,
  result as resultOf,
  samples as samplesOf,
} from "./data-quality-fixture.js";
import { createFixture, type Fixture, type FixtureRows } from "./explore-fixture.js";

/** The default build of ROWS, shared by the tests that only read it. */
let shared: Fixture;
beforeAll(async () => {
  shared = await createFixture(ROWS);
  await buildDataQuality(shared.db, OPTIONS);
});
afterAll(() => shared.close());

/**
 * ROWS plus 95 clean customers, built with every option changed at once: a later clock, an
 * extended relationship_type set, relaxed thresholds, a failing latest-start limit, one sample.
 */
const CONFIGURED_ROWS: FixtureRows = {
  ...ROWS,
  customers: [
    ...(ROWS.customers ?? []),
    ...Array.from({ length: 95 }, (_, i) => [`k${i}`, "n", "retail", "UK", "2020-01-01", "active"]),
  ],
};
const CONFIGURED: DataQualityOptions = {
  ...OPTIONS,
  now: new Date("2032-01-01T00:00:00Z"),
  valueSets: { relationshipType: ["purchase", "return", "gift"] },
  thresholds: { "customer_products.value.non_negative": { warnAbove: 0, failAbove: 20 } },
  defaultThresholds: { warnAbove: 0, failAbove: 50 },
  freshness: { latestStartFailDays: 365 },
  sampleSize: 1,
};
let configured: Fixture;
beforeAll(async () => {
  configured = await createFixture(CONFIGURED_ROWS);
  await buildDataQuality(configured.db, CONFIGURED);
});
afterAll(() => configured.close());

/** A fixture of one test that needs other rows or options. */
let fixture: Fixture | undefined;
afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

const current = (): SqlRunner => (fixture ?? shared).db;

async function build(
  rows: FixtureRows = ROWS,
  options: DataQualityOptions = OPTIONS,
  ddl?: readonly string[],
) {
  fixture?.close();
  fixture = await createFixture(rows, ddl);
  await buildDataQuality(fixture.db, options);
  return fixture.db;
}

const result = (id: string, db = current()) => resultOf(db, id);
const samples = (id: string, db = current()) => samplesOf(db, id);

describe("column-map percentages (GX _format_map_output)", () => {
  it("divides unexpected_percent by the non-null count and reports the total share apart", async () => {
    const r = await result("customer_products.value.non_negative");
    expect(counts(r)).toEqual({ element: 10, missing: 1, unexpected: 1 });
    expect(r.unexpected_percent).toBeCloseTo((1 / 9) * 100, 10);
    expect(r.unexpected_percent_nonmissing).toBeCloseTo((1 / 9) * 100, 10);
    expect(r.unexpected_percent_total).toBeCloseTo((1 / 10) * 100, 10);
    expect(r.missing_percent).toBeCloseTo(10, 10);
    expect(r.percent_basis).toBe("nonmissing");
  });

  it("counts nulls as the unexpected values of a not-null check, over all rows", async () => {
    const r = await result("customer_products.value.not_null");
    expect(counts(r)).toEqual({ element: 10, missing: null, unexpected: 1 });
    expect(r.unexpected_percent).toBeCloseTo(10, 10);
    expect(r.percent_basis).toBe("element_count");
    expect(await samples("customer_products.value.not_null")).toEqual([[null, "r9"]]);
  });
});

describe("keys and relationships", () => {
  it("counts every row of a duplicated key as unexpected (GX), ignoring null keys", async () => {
    const r = await result("customers.customer_id.unique");
    expect(counts(r)).toEqual({ element: 5, missing: 1, unexpected: 2 });
    expect(r.unexpected_percent).toBeCloseTo(50, 10);
    expect(r.status).toBe("fail");
    expect(r.success).toBe(false);
    expect(await samples("customers.customer_id.unique")).toEqual([
      ["c2", "c2"],
      ["c2", "c2"],
    ]);
    expect((await result("customer_products.relationship_id.unique")).unexpected_count).toBe("2");
    expect((await result("customers.customer_id.not_null")).unexpected_count).toBe("1");
  });

  it("finds orphans even though customers holds a NULL key (NOT IN would find none)", async () => {
    const r = await result("customer_products.customer_id.foreign_key");
    expect(counts(r)).toEqual({ element: 10, missing: 0, unexpected: 5 });
    expect(await samples("customer_products.customer_id.foreign_key")).toEqual([
      ["c3", "r4"],
      ["c9", "r5"],
      ["c9", "r6"],
      ["c9", "r9"],
      ["c9", "r9"],
    ]);
    const top = await current().all(
      "SELECT value, count FROM dq_unexpected_counts WHERE check_id = ? ORDER BY rank",
      ["customer_products.customer_id.foreign_key"],
    );
    expect(top.map((t) => [t.value, Number(t.count)])).toEqual([
      ["c9", 4],
      ["c3", 1],
    ]);
    expect((await result("customer_products.product_id.foreign_key")).unexpected_count).toBe("1");
  });

  it("checks starts against registration and launch without multiplying duplicated customers", async () => {
    const reg = await result("customer_products.start_date.after_registration");
    // Evaluated: rows whose customer exists with a registration date: r1, r2 (c1), r3 (c2 min
    // 2020-02-01), r8, r7 (c5) = 5; r1 starts 2019-12-02 < 2020-01-01.
    expect(counts(reg)).toEqual({ element: 10, missing: 5, unexpected: 1 });
    expect(await samples("customer_products.start_date.after_registration")).toEqual([
      ["start_date=2019-12-02, registration_date=2020-01-01", "r1"],
    ]);
    const launch = await result("customer_products.start_date.after_launch");
    expect(counts(launch)).toEqual({ element: 10, missing: 1, unexpected: 1 });
  });

  it("flags an end before its start, evaluating only rows with both dates", async () => {
    const r = await result("customer_products.end_date.not_before_start");
    expect(counts(r)).toEqual({ element: 10, missing: 8, unexpected: 1 });
    expect(r.unexpected_percent).toBeCloseTo(50, 10);
  });

  it("counts repeated holdings as a compound-uniqueness failure", async () => {
    const r = await result("customer_products.duplicates");
    expect(counts(r)).toEqual({ element: 10, missing: 0, unexpected: 3 });
    expect(r.observed_value).toBe("1 duplicated value(s) held by 3 rows");
  });
});

describe("value sets, ranges and dates", () => {
  it("checks value sets exactly (case matters) and accepts configured sets", async () => {
    const status = await result("customers.status.in_set");
    expect(counts(status)).toEqual({ element: 5, missing: 0, unexpected: 1 });
    expect(await samples("customers.status.in_set")).toEqual([["Active", "c2"]]);
    expect((await result("customer_products.relationship_type.in_set")).unexpected_count).toBe("1");
    const extended = await result("customer_products.relationship_type.in_set", configured.db);
    expect(extended.unexpected_count).toBe("0");
  });

  it("judges 'in the future' against the build's clock, not DuckDB's current_date", async () => {
    expect((await result("customers.registration_date.not_in_future")).unexpected_count).toBe("1");
    const later = await result("customers.registration_date.not_in_future", configured.db);
    expect(later.unexpected_count).toBe("0");
  });

  it("keeps at most 20 samples, the first unexpected rows in table order, or fewer if configured", async () => {
    const many = Array.from({ length: 25 }, (_, i) => [
      `r${100 + i}`,
      "c1",
      "p1",
      "purchase",
      "2020-02-01",
      null,
      `-${i + 1}`,
    ]);
    await build({ ...ROWS, customer_products: many });
    const list = await samples("customer_products.value.non_negative");
    expect(list).toHaveLength(20);
    expect(list[0]).toEqual(["-1.00", "r100"]);
    const one = await samples("customer_products.customer_id.foreign_key", configured.db);
    expect(one).toEqual([["c3", "r4"]]);
  });
});

describe("status thresholds", () => {
  it("passes at zero, warns above warnAbove and fails above failAbove, per check", async () => {
    expect((await result("customer_products.value.non_negative")).status).toBe("fail");
    const relaxed = await result("customer_products.value.non_negative", configured.db);
    expect(relaxed.status).toBe("warn");
    expect(relaxed.success).toBe(true);
    expect(relaxed.rule).toBe("warn when unexpected_percent > 0; fail when > 20");
    expect((await result("products.product_id.unique")).status).toBe("pass");
  });

  it("applies the stricter key thresholds to primary keys", async () => {
    // 2 of 99 non-null keys duplicated (2%) and 1 of 100 statuses unknown (1%), fail above 50%.
    expect((await result("customers.customer_id.unique", configured.db)).status).toBe("fail");
    expect((await result("customers.status.in_set", configured.db)).status).toBe("warn");
  });
});

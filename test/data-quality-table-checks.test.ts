import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  buildDataQuality,
  type DataQualityOptions,
} from "../src/analytics/data-quality/data-quality.js";
import { dataAsOfFreshnessCheck } from "../src/analytics/data-quality/data-quality-aggregate-checks.js";
import { resolveDataQualityOptions } from "../src/analytics/data-quality/data-quality-options.js";
import { buildProfiles } from "../src/analytics/profiles/profiles.js";
import type { SqlRunner } from "../src/snapshot/sql-runner.js";
import {
  counts,
  NOW,
  OPTIONS,
  ROWS,
  result as resultOf,
  samples as samplesOf,
} from "./data-quality-fixture.js";
import { BASE_DDL, createFixture, type Fixture, type FixtureRows } from "./explore-fixture.js";

/** The default build of ROWS, shared by the tests that only read it. */
let shared: Fixture;
beforeAll(async () => {
  shared = await createFixture(ROWS);
  await buildDataQuality(shared.db, OPTIONS);
});
afterAll(() => shared.close());

/** A fixture of one test that needs other rows or options. */
let fixture: Fixture | undefined;
afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

const current = (): SqlRunner => (fixture ?? shared).db;
const result = (id: string, db = current()) => resultOf(db, id);
const samples = (id: string, db = current()) => samplesOf(db, id);

async function build(
  rows: FixtureRows,
  options: DataQualityOptions = OPTIONS,
  ddl?: readonly string[],
) {
  fixture?.close();
  fixture = await createFixture(rows, ddl);
  await buildDataQuality(fixture.db, options);
}

describe("table-level checks", () => {
  it("measures freshness of data_as_of against the configured hours", async () => {
    const fresh = await result("snapshot.data_as_of.freshness");
    expect(fresh.status).toBe("pass");
    expect(fresh.table_name).toBeNull();
    expect(fresh.observed_value).toBe("2025-01-10T06:00:00.000Z (6.0 hours old)");
    const at = (dataAsOf: string) =>
      dataAsOfFreshnessCheck(resolveDataQualityOptions({ now: NOW, dataAsOf: new Date(dataAsOf) }));
    expect(at("2025-01-09T12:00:00Z").status).toBe("pass");
    expect(at("2025-01-08T12:00:00Z").status).toBe("warn");
    expect(at("2025-01-07T12:00:00Z").status).toBe("warn");
    expect(at("2025-01-07T11:59:59Z").status).toBe("fail");
  });

  it("warns when the newest relationship is old, and fails only when configured to", async () => {
    const latest = await result("customer_products.start_date.freshness");
    expect(latest.status).toBe("warn");
    expect(latest.observed_value).toBe("2020-05-02 (1714 days before 2025-01-10)");
    await build(ROWS, { ...OPTIONS, freshness: { latestStartFailDays: 365 } });
    expect((await result("customer_products.start_date.freshness")).status).toBe("fail");
  });

  it("reports missing, mistyped and extra columns and skips checks on a missing column", async () => {
    const ddl = [
      `CREATE TABLE customers (customer_id VARCHAR, customer_name VARCHAR, customer_type VARCHAR,
         region VARCHAR, registration_date VARCHAR, status VARCHAR, loyalty VARCHAR)`,
      BASE_DDL[1],
      `CREATE TABLE customer_products (relationship_id VARCHAR, customer_id VARCHAR, product_id VARCHAR,
         relationship_type VARCHAR, start_date DATE, end_date DATE)`,
    ];
    await build({}, OPTIONS, ddl);
    const customers = await result("customers.schema");
    expect(customers.status).toBe("fail");
    expect(await samples("customers.schema")).toEqual([
      ["registration_date", "type VARCHAR, expected DATE"],
      ["loyalty", "extra"],
    ]);
    expect(await samples("customer_products.schema")).toEqual([["value", "missing"]]);
    expect((await result("products.schema")).status).toBe("pass");
    const ids = (await current().all("SELECT check_id FROM dq_results")).map((r) => r.check_id);
    expect(ids).not.toContain("customer_products.value.non_negative");
    expect(ids).not.toContain("customers.registration_date.not_in_future");
  });

  it("fails the row count of an empty table", async () => {
    expect((await result("products.row_count")).status).toBe("pass");
    await build({ ...ROWS, products: [] });
    const r = await result("products.row_count");
    expect(r.status).toBe("fail");
    expect(r.observed_value).toBe("0");
  });

  it("reuses the profile's key counts when profiles were built first, with the same answer", async () => {
    fixture = await createFixture(ROWS);
    await buildProfiles(fixture.db);
    await buildDataQuality(fixture.db, OPTIONS);
    expect(counts(await result("products.product_id.unique"))).toEqual({
      element: 2,
      missing: 0,
      unexpected: 0,
    });
    expect(counts(await result("customers.customer_id.unique"))).toEqual({
      element: 5,
      missing: 1,
      unexpected: 2,
    });
  });
});

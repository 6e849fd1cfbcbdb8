import { describe, expect, it } from "vitest";
import { ANALYTICS_BUILDS } from "../src/analytics/analytics-builds.js";
import { RFM_SELECT } from "../src/analytics/rfm/rfm-sql.js";
import type { SqlRunner } from "../src/snapshot/sql-runner.js";
import { deriveAll } from "../src/sync/derive-all.js";
import { generateData, openAnalyticsFixture, type TestData } from "./analytics-fixture.js";

/*
 * RFM's frequency is the number of distinct relationship ids. When the profile build (which
 * runs first) proved the ids unique, the build counts them without the distinct count; when
 * the ids repeat, it must keep the distinct count. Either way customer_rfm equals the
 * definition's statement, EXCEPT ALL both ways.
 */

/** The statements a runner was given, so the test can tell which statement built the table. */
function recording(db: SqlRunner, statements: string[]): SqlRunner {
  return {
    run: (sql, params) => {
      statements.push(sql);
      return db.run(sql, params);
    },
    all: (sql, params) => {
      statements.push(sql);
      return db.all(sql, params);
    },
  };
}

/** Builds the profiles and RFM into `data` and returns the customer_rfm statement and the diff. */
async function buildRfm(data: TestData) {
  const fixture = await openAnalyticsFixture(data, {}, false);
  try {
    const statements: string[] = [];
    const builds = ANALYTICS_BUILDS.filter((b) => b.slice === "profiles" || b.slice === "rfm");
    await deriveAll(recording(fixture.db, statements), { dataAsOf: new Date() }, {}, builds);
    const [ref] = await fixture.db.all(
      "SELECT value AS d FROM derived_params WHERE name = 'reference_date'",
    );
    const [diff] = await fixture.db.all(
      `SELECT (SELECT count(*) FROM (FROM customer_rfm EXCEPT ALL (${RFM_SELECT})))
            + (SELECT count(*) FROM ((${RFM_SELECT}) EXCEPT ALL FROM customer_rfm)) AS n,
              (SELECT count(*) FROM customer_rfm) AS customers`,
      [String(ref?.d), String(ref?.d)],
    );
    const create = statements.find((s) => s.startsWith("CREATE TABLE customer_rfm"));
    return { create: create ?? "", diff: Number(diff?.n), customers: Number(diff?.customers) };
  } finally {
    fixture.close();
  }
}

describe("RFM frequency and the profile's proof that relationship ids are unique", () => {
  const data = generateData(20261207, 300, 30, 5);

  it("counts ids without a distinct count when the profile proved them unique", async () => {
    const built = await buildRfm(data);
    expect(built.customers).toBeGreaterThan(200);
    expect(built.create).not.toContain("count(DISTINCT");
    expect(built.diff).toBe(0);
  });

  it("keeps the distinct count when an id repeats, so a repeated id counts once", async () => {
    const repeated = data.relationships.slice(0, 40).map((r) => ({ ...r, value: "1.00" }));
    const built = await buildRfm({
      ...data,
      relationships: [...data.relationships, ...repeated],
    });
    expect(built.create).toContain("count(DISTINCT");
    expect(built.diff).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANALYTICS_BUILDS } from "../src/analytics/analytics-builds.js";
import type { TableBuild } from "../src/snapshot/snapshot-build.js";
import { deriveAll } from "../src/sync/derive-all.js";
import { type AnalyticsFixture, generateData, openAnalyticsFixture } from "./analytics-fixture.js";

// The sync builds every slice from one registered list and reports each build by the first
// table it declares; a build creating a table it does not declare (or declaring one it never
// creates) would make the status, the metrics and the docs describe another snapshot. A view
// (recommendations) counts as a table it creates.

const BASE_TABLES = ["customer_products", "customers", "products"];
let fixture: AnalyticsFixture;
let reports: TableBuild[];

beforeAll(async () => {
  fixture = await openAnalyticsFixture(generateData(7, 40, 12, 4), {}, false);
  reports = await deriveAll(fixture.db, { dataAsOf: new Date("2024-06-30T00:00:00Z") });
});

afterAll(() => fixture?.close());

describe("the registered analytics builds", () => {
  it("create exactly the tables they declare, each declared once", async () => {
    const declared = ANALYTICS_BUILDS.flatMap((b) => b.tables);
    expect(new Set(declared).size).toBe(declared.length);
    const rows = await fixture.db.all(
      `SELECT table_name FROM duckdb_tables()
       UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1`,
    );
    const created = rows.map((r) => String(r.table_name)).filter((t) => !BASE_TABLES.includes(t));
    expect(created).toEqual(["derived_params", ...declared].sort());
  });

  it("are reported in order by their first table, with its rows", async () => {
    expect(reports.map((r) => r.table)).toEqual([
      "derived_params",
      ...ANALYTICS_BUILDS.map((b) => b.tables[0]),
    ]);
    for (const report of reports) {
      const [row] = await fixture.db.all(`SELECT count(*)::BIGINT AS n FROM ${report.table}`);
      expect(report.rows, report.table).toBe(Number(row?.n));
      expect(Number.isFinite(report.durationMs), report.table).toBe(true);
    }
    expect(reports.find((r) => r.table === "basket_items")?.rows).toBeGreaterThan(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDataQuality } from "../src/analytics/data-quality/data-quality.js";
import { buildProfiles } from "../src/analytics/profiles/profiles.js";
import { AppError } from "../src/app-error.js";
import { getDataQualityReport, getTableProfile, listTables } from "../src/query/explore-queries.js";
import { createFixture, type Fixture } from "./explore-fixture.js";

let fixture: Fixture;

beforeAll(async () => {
  fixture = await createFixture({
    customers: Array.from({ length: 12 }, (_, i) => [
      `c${i}`,
      `Customer ${i}`,
      i % 3 ? "retail" : "wholesale",
      i % 2 ? "UK" : "FR",
      "2020-01-01",
      i % 4 ? "active" : "inactive",
    ]),
    products: [
      ["p1", "Mug", "home", "merch", "2019-01-01", "active"],
      ["p2", "Pen", "office", "merch", "2019-06-01", "active"],
    ],
    customer_products: Array.from({ length: 12 }, (_, i) => [
      `r${i}`,
      `c${i % 5}`,
      i % 2 ? "p1" : "p2",
      i % 6 ? "purchase" : "return",
      `2020-0${(i % 9) + 1}-15`,
      null,
      i === 3 ? "-1.50" : `${(i * 13) % 29}.25`,
    ]),
  });
  await buildProfiles(fixture.db);
  await buildDataQuality(fixture.db, {
    now: new Date("2021-01-01T00:00:00Z"),
    dataAsOf: new Date("2020-12-31T12:00:00Z"),
  });
  // The RPCs are lookups: they must not need the base tables at all.
  for (const t of ["customer_products", "customers", "products"])
    await fixture.db.run(`DROP TABLE ${t}`);
});
afterAll(() => fixture.close());

async function queryError(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err;
}

describe("listTables", () => {
  it("lists the three base tables with row counts and typed columns", async () => {
    const tables = await listTables(fixture.db);
    expect(tables.map((t) => [t.name, t.rowCount, t.columnCount])).toEqual([
      ["customers", 12, 6],
      ["products", 2, 6],
      ["customer_products", 12, 7],
    ]);
    expect(tables[2]?.columns.at(-1)).toEqual({
      name: "value",
      ordinal: 7,
      dataType: "DECIMAL(15,2)",
      semanticType: "numeric",
    });
  });
});

describe("getTableProfile", () => {
  it("returns table statistics, typed column profiles, top values and histograms", async () => {
    const p = await getTableProfile(fixture.db, { table: "customer_products" });
    expect(p.table).toMatchObject({
      name: "customer_products",
      nRows: 12,
      nColumns: 7,
      nDuplicates: 0,
    });
    const value = p.columns.find((c) => c.name === "value");
    expect(value?.numeric?.min).toBe("-1.50");
    expect(value?.numeric?.nNegative).toBe(1);
    expect(value?.date).toBeNull();
    expect(value?.histogram.reduce((s, b) => s + b.count, 0)).toBe(12);
    const start = p.columns.find((c) => c.name === "start_date");
    expect(start?.date).toEqual({ min: "2020-01-15", max: "2020-09-15", rangeDays: 244 });
    expect(start?.histogram[0]?.lowerLabel).toBe("2020-01-15");
    const type = p.columns.find((c) => c.name === "relationship_type");
    expect(type?.topValues).toEqual([
      { value: "purchase", count: 10, frequency: 10 / 12 },
      { value: "return", count: 2, frequency: 2 / 12 },
    ]);
    expect(type?.text).toEqual({
      minLength: 6,
      meanLength: (10 * 8 + 2 * 6) / 12,
      medianLength: 8,
      maxLength: 8,
    });
    expect(p.correlations).toEqual([]);
  });

  it("filters columns, keeping their alerts and the table-level ones", async () => {
    const p = await getTableProfile(fixture.db, { table: "customers", columns: ["customer_id"] });
    expect(p.columns.map((c) => c.name)).toEqual(["customer_id"]);
    expect(p.alerts.every((a) => a.column === null || a.column === "customer_id")).toBe(true);
    expect(p.alerts.map((a) => a.type)).toContain("UNIQUE");
  });

  it("adds correlations only on request, limited to pairs touching a requested column", async () => {
    const all = await getTableProfile(fixture.db, {
      table: "customers",
      includeCorrelations: true,
    });
    expect(all.correlationStatus).toBe("computed");
    expect(all.correlations.length).toBe(3);
    const some = await getTableProfile(fixture.db, {
      table: "customers",
      columns: ["region"],
      includeCorrelations: true,
    });
    expect(some.correlations.length).toBe(2);
    expect(some.correlations.every((c) => c.columnA === "region" || c.columnB === "region")).toBe(
      true,
    );
  });

  it("answers NOT_FOUND naming the field for an unknown table or column", async () => {
    const table = await queryError(getTableProfile(fixture.db, { table: "orders" }));
    expect([table.kind, table.field]).toEqual(["not_found", "table"]);
    expect(table.message).toContain("customers, products, customer_products");
    const column = await queryError(
      getTableProfile(fixture.db, { table: "customers", columns: ["customer_id", "nope"] }),
    );
    expect([column.kind, column.field]).toEqual(["not_found", "columns"]);
  });

  it("binds a hostile table name as a value", async () => {
    const err = await queryError(getTableProfile(fixture.db, { table: "customers' OR '1'='1" }));
    expect(err.kind).toBe("not_found");
  });
});

describe("getDataQualityReport", () => {
  it("returns every result with a summary, and snapshot-level checks for any filter", async () => {
    const report = await getDataQualityReport(fixture.db);
    const s = report.summary;
    expect(s.evaluated).toBe(report.results.length);
    expect(s.passed + s.warned + s.failed).toBe(s.evaluated);
    expect(s.overallStatus).toBe("fail");
    const negative = report.results.find(
      (r) => r.checkId === "customer_products.value.non_negative",
    );
    expect(negative).toMatchObject({
      status: "fail",
      success: false,
      unexpectedCount: 1,
      percentBasis: "nonmissing",
      partialUnexpectedList: [{ value: "-1.50", key: "r3" }],
      partialUnexpectedCounts: [{ value: "-1.50", count: 1 }],
    });
    const products = await getDataQualityReport(fixture.db, { tables: ["products"] });
    expect(new Set(products.results.map((r) => r.table))).toEqual(new Set(["products", null]));
    expect(products.summary.overallStatus).toBe("pass");
  });

  it("answers NOT_FOUND for an unknown table", async () => {
    const err = await queryError(
      getDataQualityReport(fixture.db, { tables: ["products", "orders"] }),
    );
    expect([err.kind, err.field]).toEqual(["not_found", "tables"]);
  });
});

describe("a snapshot without the derived tables", () => {
  it("answers FAILED_PRECONDITION instead of a DuckDB catalog error", async () => {
    const empty = await createFixture({});
    try {
      expect((await queryError(listTables(empty.db))).kind).toBe("failed_precondition");
      expect((await queryError(getDataQualityReport(empty.db))).kind).toBe("failed_precondition");
    } finally {
      empty.close();
    }
  });
});

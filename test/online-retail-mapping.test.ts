import type { DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BUNDLED_ONLINE_RETAIL_PATH, onlineRetailLoad } from "../src/source/online-retail.js";
import type { SourceLoad } from "../src/source/table-feed.js";
import { centsOfProduct, gzipDataLines, splitCsvLine } from "./support/read-csv-lines.js";
import { type DroppedCount, queryRows, runSourceLoad } from "./support/run-source-load.js";

/** The raw file as text, read by the test itself, for independent expectations. */
const RAW = `CREATE TEMP TABLE raw AS SELECT * FROM read_csv(?, header = true, all_varchar = true)`;

let load: SourceLoad;
let db: DuckDBConnection;
let dropped: readonly DroppedCount[];

beforeAll(async () => {
  load = await onlineRetailLoad();
  ({ connection: db, dropped } = await runSourceLoad(load));
  await db.run(RAW, [BUNDLED_ONLINE_RETAIL_PATH]);
});

afterAll(() => {
  db?.closeSync();
});

async function one(sql: string, params: readonly (string | number)[] = []) {
  const [row] = await queryRows(db, sql, params);
  return row ?? {};
}

describe("the bundled Online Retail file as the three base tables", () => {
  test("has exactly the contract's columns and types", async () => {
    const described = async (table: string) =>
      (await queryRows(db, `DESCRIBE ${table}`)).map((r) => `${r.column_name} ${r.column_type}`);
    expect(await described("customers")).toEqual([
      "customer_id VARCHAR",
      "customer_name VARCHAR",
      "customer_type VARCHAR",
      "region VARCHAR",
      "registration_date DATE",
      "status VARCHAR",
    ]);
    expect(await described("products")).toEqual([
      "product_id VARCHAR",
      "product_name VARCHAR",
      "product_category VARCHAR",
      "product_type VARCHAR",
      "launch_date DATE",
      "status VARCHAR",
    ]);
    expect(await described("customer_products")).toEqual([
      "relationship_id VARCHAR",
      "customer_id VARCHAR",
      "product_id VARCHAR",
      "relationship_type VARCHAR",
      "start_date DATE",
      "end_date DATE",
      "value DECIMAL(15,2)",
    ]);
  });

  test("row counts match the raw file, and every dropped row is accounted for", async () => {
    const raw = await one(`SELECT count(*) AS total, count(CustomerID) AS with_customer,
      count(DISTINCT CustomerID) AS customers, count(DISTINCT StockCode) AS codes FROM raw`);
    const dups = await one(`SELECT
      (SELECT count(*) FROM raw) - (SELECT count(*) FROM (SELECT DISTINCT * FROM raw)) AS all_rows,
      (SELECT count(*) FROM raw WHERE CustomerID IS NOT NULL)
        - (SELECT count(*) FROM (SELECT DISTINCT * FROM raw WHERE CustomerID IS NOT NULL)) AS with_customer`);
    const loaded = await one(`SELECT (SELECT count(*) FROM customers) AS customers,
      (SELECT count(*) FROM products) AS products, (SELECT count(*) FROM customer_products) AS lines`);

    expect(raw).toEqual({
      total: "541909",
      with_customer: "406829",
      customers: "4372",
      codes: "4070",
    });
    expect(dups).toEqual({ all_rows: "5268", with_customer: "5225" });
    expect(loaded).toEqual({ customers: "4372", products: "4070", lines: "401604" });
    expect(dropped.map((d) => d.n)).toEqual([5268, 541909 - 5268 - 401604]);
    expect(dropped.every((d) => d.reason.length > 0)).toBe(true);
  });

  test("each kept line matches the file line it names, with an exact value", async () => {
    const expected = new Map<string, string>();
    const seen = new Set<string>();
    const lineOfInvoice = new Map<string, number>();
    for await (const line of gzipDataLines(BUNDLED_ONLINE_RETAIL_PATH)) {
      const [invoice = "", code = "", , quantity = "", date = "", price = "", customer = ""] =
        splitCsvLine(line);
      const n = (lineOfInvoice.get(invoice) ?? 0) + 1;
      lineOfInvoice.set(invoice, n);
      if (customer === "" || seen.has(line)) {
        seen.add(line);
        continue;
      }
      seen.add(line);
      const type = invoice.startsWith("C") ? "return" : "purchase";
      const id = customer.replace(/\.0$/, "");
      expected.set(
        `${invoice}-${n}`,
        [id, code, type, date.slice(0, 10), centsOfProduct(quantity, price)].join("|"),
      );
    }
    const { lines, nulls } = await one(
      `SELECT string_agg(concat_ws('|', relationship_id, customer_id, product_id,
         relationship_type, start_date, "value"), chr(10) ORDER BY relationship_id) AS lines,
         count(end_date) AS nulls
       FROM customer_products`,
    );
    const actual = String(lines).split("\n");
    const wanted = [...expected.keys()]
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((id) => `${id}|${expected.get(id)}`);
    expect(actual.length).toBe(wanted.length);
    expect(actual.filter((line, i) => line !== wanted[i]).slice(0, 5)).toEqual([]);
    expect(nulls).toBe("0");
  });

  test("customer 12347 and 17850 agree with sums computed from the raw file", async () => {
    for (const id of ["12347", "17850"]) {
      const raw = await one(
        `SELECT count(*) AS lines, sum(round(Quantity::INTEGER * UnitPrice::DECIMAL(18, 3), 2)) AS total,
           min(InvoiceDate::DATE) AS first_date
         FROM (SELECT DISTINCT * FROM raw WHERE CustomerID = ? || '.0')`,
        [id],
      );
      const loaded = await one(
        `SELECT count(*) AS lines, sum("value") AS total, min(start_date) AS first_date
         FROM customer_products WHERE customer_id = ?`,
        [id],
      );
      expect(loaded).toEqual(raw);
    }
    expect(
      await one(`SELECT sum("value") AS total FROM customer_products WHERE customer_id = '12347'`),
    ).toEqual({ total: "4310.00" });
  });

  test("customer attributes follow the documented rules", async () => {
    const customers = await queryRows(
      db,
      "SELECT * FROM customers WHERE customer_id IN ('12347', '17850') ORDER BY customer_id",
    );
    expect(customers).toEqual([
      {
        customer_id: "12347",
        customer_name: "Customer 12347",
        customer_type: "wholesale",
        region: "Iceland",
        registration_date: "2010-12-07",
        status: "active",
      },
      {
        customer_id: "17850",
        customer_name: "Customer 17850",
        customer_type: "retail",
        region: "United Kingdom",
        registration_date: "2010-12-01",
        status: "inactive",
      },
    ]);
    const independent =
      await one(`WITH lines AS (SELECT DISTINCT * FROM raw WHERE CustomerID IS NOT NULL),
      invoices AS (
        SELECT CustomerID, InvoiceNo, sum(round(Quantity::INTEGER * UnitPrice::DECIMAL(18, 3), 2)) AS v,
          max(InvoiceDate::DATE) AS d
        FROM lines WHERE InvoiceNo NOT LIKE 'C%' GROUP BY ALL)
      SELECT count(*) FILTER (WHERE m >= 500) AS wholesale,
        count(*) FILTER (WHERE last >= DATE '2011-12-09' - INTERVAL 90 DAY) AS active
      FROM (SELECT CustomerID, median(v::DECIMAL(18, 3)) AS m, max(d) AS last FROM invoices GROUP BY ALL)`);
    const loaded =
      await one(`SELECT count(*) FILTER (WHERE customer_type = 'wholesale') AS wholesale,
      count(*) FILTER (WHERE status = 'active') AS active FROM customers`);
    expect(loaded).toEqual(independent);
    expect(loaded).toEqual({ wholesale: "712", active: "2890" });
  });

  test("products keep every stock code; fee codes are fees", async () => {
    const fees = await queryRows(
      db,
      `SELECT product_id, product_category, product_type FROM products
       WHERE product_type = 'fee' ORDER BY product_id`,
    );
    expect(fees.map((r) => r.product_id)).toEqual([
      "AMAZONFEE",
      "B",
      "BANK CHARGES",
      "C2",
      "CRUK",
      "D",
      "DOT",
      "M",
      "PADS",
      "POST",
      "S",
      "m",
    ]);
    expect(new Set(fees.map((r) => r.product_category))).toEqual(new Set(["fees"]));
    expect(await one("SELECT * FROM products WHERE product_id = '85123A'")).toEqual({
      product_id: "85123A",
      product_name: "WHITE HANGING HEART T-LIGHT HOLDER",
      product_category: "lighting",
      product_type: "merchandise",
      launch_date: "2010-12-01",
      status: "active",
    });
    const anonymousOnly = await one(`SELECT count(*) AS n FROM products
      WHERE product_id NOT IN (SELECT product_id FROM customer_products)`);
    expect(anonymousOnly).toEqual({ n: "386" });
  });

  test("invariants: keys unique, no orphans, returns are cancellations", async () => {
    expect(
      await one(`SELECT
        (SELECT count(*) - count(DISTINCT relationship_id) FROM customer_products) AS dup_relationships,
        (SELECT count(*) - count(DISTINCT customer_id) FROM customers) AS dup_customers,
        (SELECT count(*) - count(DISTINCT product_id) FROM products) AS dup_products,
        (SELECT count(*) FROM customer_products WHERE customer_id NOT IN (SELECT customer_id FROM customers)) AS orphan_customers,
        (SELECT count(*) FROM customer_products WHERE product_id NOT IN (SELECT product_id FROM products)) AS orphan_products,
        (SELECT count(*) FROM customer_products
          WHERE (relationship_type = 'return') <> starts_with(relationship_id, 'C')) AS mistyped,
        (SELECT count(*) FROM customer_products WHERE relationship_type = 'return') AS returns`),
    ).toEqual({
      dup_relationships: "0",
      dup_customers: "0",
      dup_products: "0",
      orphan_customers: "0",
      orphan_products: "0",
      mistyped: "0",
      returns: "8872",
    });
    expect(load.dataAsOf).toBeInstanceOf(Date);
  });
});

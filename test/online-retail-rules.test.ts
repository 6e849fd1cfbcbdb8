import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { onlineRetailLoad } from "../src/source/online-retail.js";
import { queryRows, runSourceLoad } from "./support/run-source-load.js";

const HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";

/** A few lines in the Online Retail layout, each exercising one rule of the mapping. */
const LINES = [
  "100001,AAA, RED MUG ,2,2011-01-01 10:00:00,1.005,1.0,France",
  "100001,AAA,RED MUG,1,2011-01-01 10:00:00,0.125,1.0,France",
  "100001,AAA,RED MUG,1,2011-01-01 10:00:00,0.125,1.0,France",
  '100001,BBB,"BLUE, CUP",3,2011-01-01 10:00:00,2.50,1.0,Germany',
  "C100002,AAA,RED MUG,-1,2011-01-05 09:00:00,0.125,1.0,Germany",
  "100003,CCC,XMAS CANDLE,1,2011-02-01 10:00:00,600,2.0,Spain",
  "100004,POST,POSTAGE,1,2011-02-02 10:00:00,18,,United Kingdom",
  "C100005,AAA,RED MUG,-1,2010-12-01 10:00:00,1,3.0,Italy",
  "100006,DDD,,1,2011-06-01 10:00:00,1,,Norway",
  "100007,EEE,ZEBRA,1,2011-03-03 10:00:00,1,4.0,United Kingdom",
  "100008,EEE,APPLE,1,2011-03-02 10:00:00,1,5.0,United Kingdom",
  "100009,FFF,GARDEN GNOME,1,2011-01-10 10:00:00,499.99,6.0,United Kingdom",
  "100010,FFF,GARDEN GNOME,1,2011-01-11 10:00:00,500.00,6.0,United Kingdom",
  "100011,FFF,GARDEN GNOME,1,2011-01-10 10:00:00,499.99,7.0,United Kingdom",
  "100012,FFF,GARDEN GNOME,1,2011-01-11 10:00:00,500.01,7.0,United Kingdom",
];

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "o'retail-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function loadLines(name: string, lines: readonly string[]) {
  const path = join(dir, name);
  await writeFile(path, `${[HEADER, ...lines].join("\n")}\n`);
  return runSourceLoad(await onlineRetailLoad(path));
}

describe("the Online Retail mapping's rules", () => {
  test("apply line by line, from a path with a quote in it", async () => {
    const { connection, dropped } = await loadLines("retail.csv", LINES);
    expect(dropped.map((d) => d.n)).toEqual([1, 2]);
    const lines = await queryRows(
      connection,
      `SELECT concat_ws('|', relationship_id, customer_id, product_id, relationship_type, start_date,
         "value") AS line FROM customer_products`,
    );
    expect(lines.map((r) => r.line)).toEqual([
      "100001-1|1|AAA|purchase|2011-01-01|2.01",
      "100001-2|1|AAA|purchase|2011-01-01|0.13",
      "100001-4|1|BBB|purchase|2011-01-01|7.50",
      "C100002-1|1|AAA|return|2011-01-05|-0.13",
      "100003-1|2|CCC|purchase|2011-02-01|600.00",
      "C100005-1|3|AAA|return|2010-12-01|-1.00",
      "100007-1|4|EEE|purchase|2011-03-03|1.00",
      "100008-1|5|EEE|purchase|2011-03-02|1.00",
      "100009-1|6|FFF|purchase|2011-01-10|499.99",
      "100010-1|6|FFF|purchase|2011-01-11|500.00",
      "100011-1|7|FFF|purchase|2011-01-10|499.99",
      "100012-1|7|FFF|purchase|2011-01-11|500.01",
    ]);
    const customers = await queryRows(
      connection,
      `SELECT concat_ws('|', customer_id, customer_name, customer_type, region, registration_date,
         status) AS customer FROM customers`,
    );
    expect(customers.map((r) => r.customer)).toEqual([
      "1|Customer 1|retail|France|2011-01-01|inactive",
      "2|Customer 2|wholesale|Spain|2011-02-01|inactive",
      "3|Customer 3|retail|Italy|2010-12-01|inactive",
      "4|Customer 4|retail|United Kingdom|2011-03-03|active",
      "5|Customer 5|retail|United Kingdom|2011-03-02|inactive",
      "6|Customer 6|retail|United Kingdom|2011-01-10|inactive",
      "7|Customer 7|wholesale|United Kingdom|2011-01-10|inactive",
    ]);
    const products = await queryRows(
      connection,
      `SELECT concat_ws('|', product_id, coalesce(product_name, '<null>'), product_category,
         product_type, launch_date, status) AS product FROM products`,
    );
    expect(products.map((r) => r.product)).toEqual([
      "AAA|RED MUG|kitchen|merchandise|2010-12-01|active",
      "BBB|BLUE, CUP|kitchen|merchandise|2011-01-01|active",
      "CCC|XMAS CANDLE|christmas|merchandise|2011-02-01|active",
      "DDD|<null>|other|merchandise|2011-06-01|active",
      "EEE|APPLE|other|merchandise|2011-03-02|active",
      "FFF|GARDEN GNOME|garden|merchandise|2011-01-10|active",
      "POST|POSTAGE|fees|fee|2011-02-02|active",
    ]);
    connection.closeSync();
  });

  test("stop the load when a CustomerID is not a whole number", async () => {
    await expect(
      loadLines("bad-customer.csv", ["100001,AAA,RED MUG,1,2011-01-01 10:00:00,1,17850.5,France"]),
    ).rejects.toThrow(/CustomerID 17850\.5 is not a whole number/);
  });

  test("report a missing file as an invalid_data error naming it", async () => {
    const missing = join(dir, "nope.csv.gz");
    await expect(onlineRetailLoad(missing)).rejects.toMatchObject({
      kind: "invalid_data",
      file: missing,
    });
  });
});

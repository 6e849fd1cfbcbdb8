import { mkdtemp, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { localFilesLoad } from "../src/source/local-files.js";
import { BASE_TABLES, type BaseTable } from "../src/source/table-feed.js";
import {
  VALID_CSV,
  VALID_PARQUET,
  VALID_ROWS,
  writeCsvTables,
  writeParquetTables,
} from "./support/local-source-files.js";
import { type LoadedSource, queryRows, runSourceLoad } from "./support/run-source-load.js";

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "local-source-"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function tableLines({ connection }: LoadedSource, table: BaseTable): Promise<unknown[]> {
  const columns = BASE_TABLES[table].map((c) => `coalesce(CAST("${c}" AS VARCHAR), '<null>')`);
  const rows = await queryRows(
    connection,
    `SELECT concat_ws('|', ${columns.join(", ")}) AS line FROM ${table} ORDER BY 1`,
  );
  return rows.map((r) => r.line);
}

async function expectValidTables(loaded: LoadedSource): Promise<void> {
  for (const table of Object.keys(BASE_TABLES) as BaseTable[]) {
    expect(await tableLines(loaded, table)).toEqual(VALID_ROWS[table]);
  }
  const [value] = await queryRows(
    loaded.connection,
    'SELECT typeof("value") AS t, typeof(start_date) AS d FROM customer_products LIMIT 1',
  );
  expect(value).toEqual({ t: "DECIMAL(15,2)", d: "DATE" });
}

describe("a local directory of table files", () => {
  test("loads CSV and gzipped CSV, whatever the column order, case or extras", async () => {
    const dir = await mkdtemp(join(root, "csv-"));
    await writeCsvTables(dir, VALID_CSV, ["products"]);
    const when = new Date("2024-05-06T07:08:09Z");
    await utimes(join(dir, "customer_products.csv"), when, when);
    await utimes(join(dir, "customers.csv"), when, new Date("2024-01-01T00:00:00Z"));
    await utimes(join(dir, "products.csv.gz"), when, new Date("2024-01-01T00:00:00Z"));
    const load = await localFilesLoad(dir);
    expect(load.dataAsOf).toEqual(when);
    expect(load.dropped).toEqual([]);
    const loaded = await runSourceLoad(load);
    await expectValidTables(loaded);
    loaded.connection.closeSync();
  });

  test("loads Parquet, casting text dates and wider decimals", async () => {
    const dir = await mkdtemp(join(root, "parquet-"));
    await writeParquetTables(dir, VALID_PARQUET);
    const loaded = await runSourceLoad(await localFilesLoad(dir));
    await expectValidTables(loaded);
    loaded.connection.closeSync();
  });

  test("binds file paths, so a quote in the directory name is harmless", async () => {
    const dir = await mkdtemp(join(root, "it's-"));
    await writeCsvTables(dir, VALID_CSV);
    const loaded = await runSourceLoad(await localFilesLoad(dir));
    await expectValidTables(loaded);
    loaded.connection.closeSync();
  });
});

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type AppError, isErrorKind } from "../src/app-error.js";
import { localFilesLoad } from "../src/source/local-files.js";
import {
  type CsvTables,
  VALID_CSV,
  VALID_PARQUET,
  writeCsvTables,
  writeParquetTables,
} from "./support/local-source-files.js";
import { runSourceLoad } from "./support/run-source-load.js";

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "local-source-errors-"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Loads `dir` as the builder would and returns the invalid_data error it must fail with. */
async function failure(dir: string): Promise<AppError> {
  try {
    await runSourceLoad(await localFilesLoad(dir));
  } catch (error) {
    if (isErrorKind(error, "invalid_data")) {
      return error;
    }
    throw error;
  }
  throw new Error(`loading ${dir} succeeded`);
}

async function csvDir(tables: CsvTables): Promise<string> {
  const dir = await mkdtemp(join(root, "csv-"));
  await writeCsvTables(dir, tables);
  return dir;
}

describe("a local directory that cannot be loaded", () => {
  test("a missing table file names the table and the names looked for", async () => {
    const { products: _, ...rest } = VALID_CSV;
    const dir = await csvDir(rest);
    const error = await failure(dir);
    expect(error.file).toBe(join(dir, "products.{csv,csv.gz,parquet}"));
    expect(error.message).toContain("products.csv, products.csv.gz, products.parquet");
    expect(error.column).toBeUndefined();
  });

  test("two files for one table are ambiguous", async () => {
    const dir = await csvDir(VALID_CSV);
    await writeParquetTables(dir, { customers: VALID_PARQUET.customers });
    const error = await failure(dir);
    expect(error.message).toMatch(/more than one file for table customers/);
    expect(error.message).toContain("customers.parquet");
  });

  test("an empty file is reported", async () => {
    const dir = await csvDir(VALID_CSV);
    await writeFile(join(dir, "products.csv"), "");
    const error = await failure(dir);
    expect(error.file).toBe(join(dir, "products.csv"));
    expect(error.message).toMatch(/empty/);
  });

  test("a missing directory is reported", async () => {
    const dir = join(root, "absent");
    const error = await failure(dir);
    expect(error.file).toBe(dir);
  });

  test("a missing CSV column names the file, the column and the columns found", async () => {
    const dir = await csvDir({
      ...VALID_CSV,
      customers: [
        "customer_id,customer_name,customer_type,registration_date,status",
        "C1,A,retail,2024-01-01,active",
      ],
    });
    const error = await failure(dir);
    expect(error.file).toBe(join(dir, "customers.csv"));
    expect(error.column).toBe("region");
    expect(error.message).toBe(
      `${join(dir, "customers.csv")}, column "region": the column is missing ` +
        "(columns found: customer_id, customer_name, customer_type, registration_date, status)",
    );
  });

  test("a missing Parquet column names the file and the column", async () => {
    const dir = await mkdtemp(join(root, "parquet-"));
    await writeParquetTables(dir, {
      ...VALID_PARQUET,
      customer_products: `SELECT * EXCLUDE ("value") FROM (${VALID_PARQUET.customer_products})`,
    });
    const error = await failure(dir);
    expect(error.file).toBe(join(dir, "customer_products.parquet"));
    expect(error.column).toBe("value");
    expect(error.message).toContain('column "value": the column is missing');
  });

  test("a CSV date that does not cast names the file, column, row and value", async () => {
    const dir = await csvDir({
      ...VALID_CSV,
      products: [...VALID_CSV.products, "P3,Bad,kitchen,merchandise,2024-02-30,active"],
    });
    const error = await failure(dir);
    expect(error.file).toBe(join(dir, "products.csv"));
    expect(error.column).toBe("launch_date");
    expect(error.message).toBe(
      `${join(dir, "products.csv")}, column "launch_date": a value does not cast to DATE ` +
        '(row 3: "2024-02-30")',
    );
  });

  test("a Parquet text value that is not a decimal names the row and value", async () => {
    const dir = await mkdtemp(join(root, "parquet-"));
    await writeParquetTables(dir, {
      ...VALID_PARQUET,
      customer_products: `SELECT * REPLACE (CASE WHEN relationship_id = 'R2' THEN '12,50'
          ELSE CAST("value" AS VARCHAR) END AS "value")
        FROM (${VALID_PARQUET.customer_products}) ORDER BY relationship_id`,
    });
    const error = await failure(dir);
    expect(error.file).toBe(join(dir, "customer_products.parquet"));
    expect(error.column).toBe("value");
    expect(error.message).toMatch(/does not cast to DECIMAL\(15, 2\) \(row 2: "12,50"\)$/);
  });

  test("a decimal too large for DECIMAL(15,2) is a bad value, not a crash", async () => {
    const dir = await csvDir({
      ...VALID_CSV,
      customer_products: [
        ...VALID_CSV.customer_products,
        "12345678901234567.00,R3,C1,P1,purchase,2024-02-01,",
      ],
    });
    const error = await failure(dir);
    expect(error.column).toBe("value");
    expect(error.message).toContain('(row 3: "12345678901234567.00")');
  });
});

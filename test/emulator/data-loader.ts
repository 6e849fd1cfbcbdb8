/**
 * The three tables the emulator serves (schema from docs/data_sources.md), loading them from a
 * directory of CSV or Parquet files, and generating deterministic synthetic rows.
 *
 * @module
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { sqlIdentifier, sqlStringLiteral } from "./http-util.js";
import type { GenerateSpec } from "./types.js";

/** Column definitions of the served tables, in docs/data_sources.md order. No keys: Snowflake does not enforce them. */
export const TABLE_COLUMNS = {
  customers: [
    ["customer_id", "VARCHAR"],
    ["customer_name", "VARCHAR"],
    ["customer_type", "VARCHAR"],
    ["region", "VARCHAR"],
    ["registration_date", "DATE"],
    ["status", "VARCHAR"],
  ],
  products: [
    ["product_id", "VARCHAR"],
    ["product_name", "VARCHAR"],
    ["product_category", "VARCHAR"],
    ["product_type", "VARCHAR"],
    ["launch_date", "DATE"],
    ["status", "VARCHAR"],
  ],
  customer_products: [
    ["relationship_id", "VARCHAR"],
    ["customer_id", "VARCHAR"],
    ["product_id", "VARCHAR"],
    ["relationship_type", "VARCHAR"],
    ["start_date", "DATE"],
    ["end_date", "DATE"],
    ["value", "DECIMAL(15,2)"],
  ],
} as const;

/** Name of one of the served tables. */
export type ServedTable = keyof typeof TABLE_COLUMNS;

/** The served tables, in load order. */
export const SERVED_TABLES: readonly ServedTable[] = ["customers", "products", "customer_products"];

/** `CREATE TABLE` statements for the served tables (column `value` quoted for DuckDB). */
export function createTableStatements(): string[] {
  return SERVED_TABLES.map((table) => {
    const columns = TABLE_COLUMNS[table].map(([name, type]) => `${sqlIdentifier(name)} ${type}`);
    return `CREATE TABLE main.${sqlIdentifier(table)} (${columns.join(", ")})`;
  });
}

/** Finds `<table>.parquet`, `<table>.csv` or `<table>.csv.gz` (any case) in `dir`. */
export function findTableFile(dir: string, table: string): string | undefined {
  const files = readdirSync(dir);
  for (const suffix of [".parquet", ".csv", ".csv.gz"]) {
    const match = files.find((file) => file.toLowerCase() === `${table}${suffix}`);
    if (match !== undefined) return join(dir, match);
  }
  return undefined;
}

/**
 * Loads every served table that has a file in `dir`; extra source columns are ignored, a
 * missing contract column is an error naming the file. Returns rows loaded per table.
 */
export async function loadDirectory(
  connection: DuckDBConnection,
  dir: string,
): Promise<Record<string, number>> {
  if (!existsSync(dir)) throw new Error(`EMULATOR_DATA_DIR ${dir} does not exist`);
  const loaded: Record<string, number> = {};
  for (const table of SERVED_TABLES) {
    const file = findTableFile(dir, table);
    if (file === undefined) continue;
    const reader = file.toLowerCase().endsWith(".parquet")
      ? `read_parquet(${sqlStringLiteral(file)})`
      : `read_csv(${sqlStringLiteral(file)}, header = true, all_varchar = true)`;
    const names = TABLE_COLUMNS[table].map(([name]) => sqlIdentifier(name)).join(", ");
    try {
      const result = await connection.run(
        `INSERT INTO main.${sqlIdentifier(table)} (${names}) SELECT ${names} FROM ${reader}`,
      );
      loaded[table] = result.rowsChanged;
    } catch (error) {
      throw new Error(`loading ${file} into ${table}: ${(error as Error).message}`);
    }
  }
  return loaded;
}

/** Positive safe integer or 0, so generated counts can be written into SQL text safely. */
function count(value: number | undefined): number {
  return value !== undefined && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/**
 * Appends deterministic synthetic rows: customers `C0000001…`, products `P00001…`, and
 * relationships `R000000001…` spread over them, about a third of them ended, values with
 * two decimals. The same spec always yields the same rows.
 */
export async function generateRows(
  connection: DuckDBConnection,
  spec: GenerateSpec,
): Promise<void> {
  const customers = count(spec.customers);
  const products = count(spec.products);
  const relationships = count(spec.customer_products);
  if (customers > 0) {
    await connection.run(`INSERT INTO main.customers
      SELECT 'C' || lpad(i::VARCHAR, 7, '0'), 'Customer ' || i,
             ['Retail', 'Business', 'Enterprise'][1 + i % 3],
             ['North', 'South', 'East', 'West', 'Central'][1 + i % 5],
             DATE '2018-01-01' + (i * 37 % 2500)::INTEGER,
             CASE WHEN i % 11 = 0 THEN 'inactive' ELSE 'active' END
      FROM range(1, ${customers + 1}) t(i)`);
  }
  if (products > 0) {
    await connection.run(`INSERT INTO main.products
      SELECT 'P' || lpad(i::VARCHAR, 5, '0'), 'Product ' || i,
             ['Savings', 'Loans', 'Cards', 'Insurance', 'Investments'][1 + i % 5],
             ['Basic', 'Premium'][1 + i % 2],
             DATE '2015-01-01' + (i * 53 % 3000)::INTEGER,
             CASE WHEN i % 13 = 0 THEN 'retired' ELSE 'active' END
      FROM range(1, ${products + 1}) t(i)`);
  }
  if (relationships > 0 && customers > 0 && products > 0) {
    await connection.run(`INSERT INTO main.customer_products
      SELECT 'R' || lpad(i::VARCHAR, 9, '0'),
             'C' || lpad((1 + (i * 7919) % ${customers})::VARCHAR, 7, '0'),
             'P' || lpad((1 + (i * 31) % ${products})::VARCHAR, 5, '0'),
             ['owner', 'joint', 'beneficiary'][1 + i % 3],
             DATE '2019-01-01' + (i * 13 % 2000)::INTEGER,
             CASE WHEN i % 3 = 0 THEN DATE '2019-01-01' + (i * 13 % 2000 + 30 + i % 400)::INTEGER END,
             CAST((i * 7919) % 1000000 + 1 AS DECIMAL(13,0)) * 0.01
      FROM range(1, ${relationships + 1}) t(i)`);
  }
}

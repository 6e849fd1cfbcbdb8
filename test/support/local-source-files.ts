import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";

/** A small, valid data set for the local source, as CSV text per table. */
export const VALID_CSV = {
  customers: [
    "CUSTOMER_ID,customer_name,customer_type,region,registration_date,status,notes",
    'C1,"Smith, Ann",retail,North,2024-01-15,active,ignored',
    "C2,Bob's Shop,wholesale,South,2023-12-31,inactive,",
  ],
  products: [
    "product_id,product_name,product_category,product_type,launch_date,status",
    'P1,"Mug ""Big""",kitchen,merchandise,2020-05-01,active',
    "P2,Postage,fees,fee,2019-01-01,active",
  ],
  customer_products: [
    "value,relationship_id,customer_id,product_id,relationship_type,start_date,end_date",
    "1234.50,R1,C1,P1,purchase,2024-02-01,",
    "-0.13,R2,C2,P2,return,2024-03-01,2024-03-02",
  ],
} as const;

/** The rows {@link VALID_CSV} must load as, one `|`-joined line per row. */
export const VALID_ROWS = {
  customers: [
    "C1|Smith, Ann|retail|North|2024-01-15|active",
    "C2|Bob's Shop|wholesale|South|2023-12-31|inactive",
  ],
  products: [
    'P1|Mug "Big"|kitchen|merchandise|2020-05-01|active',
    "P2|Postage|fees|fee|2019-01-01|active",
  ],
  customer_products: [
    "R1|C1|P1|purchase|2024-02-01|<null>|1234.50",
    "R2|C2|P2|return|2024-03-01|2024-03-02|-0.13",
  ],
} as const;

/** Table name to CSV lines, for writing a directory. */
export type CsvTables = { readonly [table: string]: readonly string[] };

/** Writes each table as `<table>.csv` (or `.csv.gz` for those named in `gzipped`). */
export async function writeCsvTables(
  dir: string,
  tables: CsvTables,
  gzipped: readonly string[] = [],
): Promise<void> {
  for (const [table, lines] of Object.entries(tables)) {
    const text = `${lines.join("\n")}\n`;
    if (gzipped.includes(table)) {
      await writeFile(join(dir, `${table}.csv.gz`), gzipSync(text));
    } else {
      await writeFile(join(dir, `${table}.csv`), text);
    }
  }
}

/**
 * Writes each table as `<table>.parquet` from a DuckDB SELECT, so tests can give columns real
 * Parquet types (DATE, DECIMAL) or deliberately wrong ones (text).
 */
export async function writeParquetTables(
  dir: string,
  selects: { readonly [table: string]: string },
): Promise<void> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  for (const [table, select] of Object.entries(selects)) {
    const path = join(dir, `${table}.parquet`).replaceAll("'", "''");
    await connection.run(`COPY (${select}) TO '${path}' (FORMAT parquet)`);
  }
  connection.closeSync();
}

/** Parquet SELECTs holding the same rows as {@link VALID_CSV}, with typed columns. */
export const VALID_PARQUET = {
  customers: `SELECT * FROM (VALUES
      ('C1', 'Smith, Ann', 'retail', 'North', DATE '2024-01-15', 'active', 1),
      ('C2', 'Bob''s Shop', 'wholesale', 'South', DATE '2023-12-31', 'inactive', 2))
    AS t(customer_id, customer_name, customer_type, region, registration_date, status, extra)`,
  products: `SELECT * FROM (VALUES
      ('P1', 'Mug "Big"', 'kitchen', 'merchandise', '2020-05-01', 'active'),
      ('P2', 'Postage', 'fees', 'fee', '2019-01-01', 'active'))
    AS t(product_id, product_name, product_category, product_type, launch_date, status)`,
  customer_products: `SELECT * FROM (VALUES
      ('R1', 'C1', 'P1', 'purchase', DATE '2024-02-01', NULL::DATE, 1234.50::DECIMAL(18, 2)),
      ('R2', 'C2', 'P2', 'return', DATE '2024-03-01', DATE '2024-03-02', -0.13::DECIMAL(18, 2)))
    AS t(relationship_id, customer_id, product_id, relationship_type, start_date, end_date, "value")`,
} as const;

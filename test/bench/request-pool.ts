/**
 * Draws the ids the benchmark's requests use from the generated data, deterministically for the
 * seed: customers uniformly, products weighted by how often they are held (drawn through random
 * relationships), so popular products are asked about as often as they are held.
 *
 * @module
 */
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { DataSet } from "./generate.js";
import type { RequestPool } from "./rpc-cases.js";

const PRODUCT_POOL = 2_000;

/** Draws `customers` customer ids and a popularity-weighted product pool from `data`. */
export async function drawRequestPool(data: DataSet, customers: number): Promise<RequestPool> {
  const file = (table: string) => `'${join(data.dir, `${table}.parquet`).replaceAll("'", "''")}'`;
  const instance = await DuckDBInstance.create(":memory:");
  const db = await instance.connect();
  const column = async (sql: string, params: (string | number)[]): Promise<string[]> =>
    (await db.runAndReadAll(sql, params)).getRowsJson().map((row) => String(row[0]));
  try {
    return {
      customerIds: await column(
        `SELECT customer_id FROM ${file("customers")} ORDER BY hash(customer_id, ?::BIGINT) LIMIT ?`,
        [data.seed, customers],
      ),
      productIds: await column(
        `SELECT product_id FROM ${file("customer_products")}
         ORDER BY hash(relationship_id, ?::BIGINT) LIMIT ?`,
        [data.seed, PRODUCT_POOL],
      ),
      regions: await column(`SELECT DISTINCT region FROM ${file("customers")} ORDER BY 1`, []),
      customerTypes: await column(
        `SELECT DISTINCT customer_type FROM ${file("customers")} ORDER BY 1`,
        [],
      ),
      tables: ["customers", "products", "customer_products"],
    };
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

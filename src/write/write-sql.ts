import type { BaseTableName as BaseTable } from "../schema/base-tables.js";
import { KEY_OF, type ResourceSpec, type WriteColumn } from "./resource-specs.js";

/**
 * The statements of the write path for one resource, written once from its
 * {@link ResourceSpec} (identifiers only from that allow-list) in the SQL Snowflake and DuckDB
 * share; every value is a bound `?`. Each change is one statement whose WHERE clause carries
 * its own precondition (the row is absent, the parents exist, the row still holds the values
 * read), so it is atomic even where the source runs it without a lock.
 */
export interface WriteStatements {
  /** The row by key, every value as text (dates YYYY-MM-DD, decimals their digits). */
  readonly select: string;
  /** Inserts the row (binds: the columns, then the key) unless the key is taken. */
  readonly insert: string;
  /** Replaces every column (binds: new columns, then key, then the old columns) if unchanged. */
  readonly update: string;
  /** Deletes the row (binds: key, then the old columns) if unchanged. */
  readonly delete: string;
}

const quote = (name: string): string => (name === "value" ? `"value"` : name);

const bind = (column: WriteColumn): string => {
  switch (column.type) {
    case "date":
      return "CAST(? AS DATE)";
    case "decimal":
      return "CAST(? AS DECIMAL(15,2))";
    case "text":
      return "CAST(? AS VARCHAR)";
  }
};

const asText = (column: WriteColumn): string =>
  column.type === "text"
    ? quote(column.name)
    : `CAST(${quote(column.name)} AS VARCHAR) AS ${quote(column.name)}`;

const unchanged = (spec: ResourceSpec): string =>
  spec.columns.map((c) => `${quote(c.name)} IS NOT DISTINCT FROM ${bind(c)}`).join(" AND ");

/** Builds the statements of `spec`; called once per resource at start-up. */
export function writeStatements(spec: ResourceSpec): WriteStatements {
  const names = spec.columns.map((c) => quote(c.name)).join(", ");
  const key = quote(spec.key);
  return {
    select: `SELECT ${spec.columns.map(asText).join(", ")} FROM ${spec.table} WHERE ${key} = ?`,
    insert: `INSERT INTO ${spec.table} (${names}) SELECT ${spec.columns.map(bind).join(", ")}
      WHERE NOT EXISTS (SELECT 1 FROM ${spec.table} WHERE ${key} = ?)`,
    update: `UPDATE ${spec.table} SET ${spec.columns.map((c) => `${quote(c.name)} = ${bind(c)}`).join(", ")}
      WHERE ${key} = ? AND ${unchanged(spec)}`,
    delete: `DELETE FROM ${spec.table} WHERE ${key} = ? AND ${unchanged(spec)}`,
  };
}

/** Whether a row with this key exists in a parent table: one per table, keyed by the name. */
export const EXISTS_SQL: Readonly<Record<BaseTable, string>> = {
  customers: `SELECT count(*) AS n FROM customers WHERE ${KEY_OF.customers} = ?`,
  products: `SELECT count(*) AS n FROM products WHERE ${KEY_OF.products} = ?`,
  customer_products: `SELECT count(*) AS n FROM customer_products WHERE ${KEY_OF.customer_products} = ?`,
};

/** The holdings that point at a customer or a product, by the column that points. */
export const HOLDINGS_OF = {
  customer_id: {
    ids: "SELECT relationship_id, customer_id, product_id FROM customer_products WHERE customer_id = ?",
    delete: "DELETE FROM customer_products WHERE customer_id = ?",
  },
  product_id: {
    ids: "SELECT relationship_id, customer_id, product_id FROM customer_products WHERE product_id = ?",
    delete: "DELETE FROM customer_products WHERE product_id = ?",
  },
} as const;

import type { BaseTableName } from "../../src/schema/base-tables.js";
import { createTableSql } from "../../src/schema/schema-sql.js";

/**
 * The CREATE TABLE of one base table as snapshots declare it (from the schema module), with
 * `extraColumns` (`"quantity INTEGER"`) appended for tests of columns beyond the contract. Tests
 * use this instead of DDL copies, so a column added to the schema reaches every fixture.
 */
export function baseTableDdl(table: BaseTableName, extraColumns: readonly string[] = []): string {
  const ddl = createTableSql(table);
  return extraColumns.length === 0 ? ddl : `${ddl.slice(0, -1)}, ${extraColumns.join(", ")})`;
}

/** The three base tables' DDL, in load order (customers, products, customer_products). */
export const BASE_TABLE_DDL: readonly [string, string, string] = [
  baseTableDdl("customers"),
  baseTableDdl("products"),
  baseTableDdl("customer_products"),
];

import type { BaseTableName, ColumnName } from "../schema/base-tables.js";
import { type CamelCase, camelCase, columnNames } from "../schema/schema-sql.js";
import type { JsonValue, SqlRow } from "../snapshot/sql-runner.js";

/**
 * A base-table row as the query layer returns it: every column of the schema module, camelCased,
 * as text ("" for SQL NULL, dates as `YYYY-MM-DD`, money as exact decimals). A column added to
 * the schema appears here by itself.
 */
export type BaseRow<T extends BaseTableName> = {
  readonly [C in ColumnName<T> as CamelCase<C>]: string;
};

/** A customer as the query layer returns it: every text field present, "" for missing. */
export type CustomerRow = BaseRow<"customers">;

/** The sums over a customer's relationships; money as exact decimal strings. */
export interface CustomerSummaryRow {
  readonly activeProducts: number;
  readonly totalProducts: number;
  readonly relationships: number;
  readonly totalValue: string;
  readonly firstStartDate: string;
  readonly lastStartDate: string;
  readonly asOf: string;
}

/** A product as the query layer returns it. */
export type ProductRow = BaseRow<"products">;

/** Reads a text column, mapping SQL NULL to "" as proto3 strings do. */
export function text(value: JsonValue | undefined): string {
  return value === null || value === undefined ? "" : String(value);
}

/** Reads a count column. */
export function count(value: JsonValue | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}

/** Reads a DECIMAL column as its exact text ("0.00" for SQL NULL sums). */
export function money(value: JsonValue | undefined): string {
  return value === null || value === undefined ? "0.00" : String(value);
}

/** Maps a row holding every column of `table` (by its schema names) to its camelCased row. */
export function toBaseRow<T extends BaseTableName>(table: T, row: SqlRow): BaseRow<T> {
  return Object.fromEntries(
    columnNames(table).map((name) => [camelCase(name), text(row[name])]),
  ) as BaseRow<T>;
}

/** Maps a customers row. */
export function toCustomer(row: SqlRow): CustomerRow {
  return toBaseRow("customers", row);
}

/** Maps the summary columns that customer queries compute. */
export function toCustomerSummary(row: SqlRow, asOf: string): CustomerSummaryRow {
  return {
    activeProducts: count(row.active_products),
    totalProducts: count(row.total_products),
    relationships: count(row.relationships),
    totalValue: money(row.total_value),
    firstStartDate: text(row.first_start_date),
    lastStartDate: text(row.last_start_date),
    asOf,
  };
}

/** Maps a products row. */
export function toProduct(row: SqlRow): ProductRow {
  return toBaseRow("products", row);
}

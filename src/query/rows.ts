import type { JsonValue, SqlRow } from "../snapshot/sql-runner.js";

/** A customer as the query layer returns it: every text field present, "" for missing. */
export interface CustomerRow {
  readonly customerId: string;
  readonly customerName: string;
  readonly customerType: string;
  readonly region: string;
  readonly registrationDate: string;
  readonly status: string;
}

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
export interface ProductRow {
  readonly productId: string;
  readonly productName: string;
  readonly productCategory: string;
  readonly productType: string;
  readonly launchDate: string;
  readonly status: string;
}

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

/** Maps a customers row. */
export function toCustomer(row: SqlRow): CustomerRow {
  return {
    customerId: text(row.customer_id),
    customerName: text(row.customer_name),
    customerType: text(row.customer_type),
    region: text(row.region),
    registrationDate: text(row.registration_date),
    status: text(row.status),
  };
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
  return {
    productId: text(row.product_id),
    productName: text(row.product_name),
    productCategory: text(row.product_category),
    productType: text(row.product_type),
    launchDate: text(row.launch_date),
    status: text(row.status),
  };
}

import type { BaseTable } from "../source/table-feed.js";

/** How a column's value is written and compared: text as is, DATE and DECIMAL(15,2) cast. */
export type ColumnType = "text" | "date" | "decimal";

/** One writable column of a base table. */
export interface WriteColumn {
  readonly name: string;
  readonly type: ColumnType;
}

/**
 * One resource the API writes: its table, its key column, every column in table order (the
 * allow-list from which every identifier of a write statement comes), the proto fields an
 * update_mask may name, and the parents a row must point at.
 */
export interface ResourceSpec {
  /** The resource's name in messages ("customer", "product", "holding"). */
  readonly noun: string;
  /** The request field holding the resource, for error fields ("customer", "holding"). */
  readonly field: string;
  readonly table: BaseTable;
  readonly key: string;
  readonly columns: readonly WriteColumn[];
  /** Columns an update may change (every column but the key and the owning customer). */
  readonly mutable: readonly string[];
  /** Columns that must name an existing row of another table. */
  readonly parents: readonly { readonly column: string; readonly table: BaseTable }[];
}

const text = (name: string): WriteColumn => ({ name, type: "text" });
const date = (name: string): WriteColumn => ({ name, type: "date" });

/** The customers table as the write path sees it. */
export const CUSTOMER_SPEC: ResourceSpec = {
  noun: "customer",
  field: "customer",
  table: "customers",
  key: "customer_id",
  columns: [
    text("customer_id"),
    text("customer_name"),
    text("customer_type"),
    text("region"),
    date("registration_date"),
    text("status"),
  ],
  mutable: ["customer_name", "customer_type", "region", "registration_date", "status"],
  parents: [],
};

/** The products table as the write path sees it. */
export const PRODUCT_SPEC: ResourceSpec = {
  noun: "product",
  field: "product",
  table: "products",
  key: "product_id",
  columns: [
    text("product_id"),
    text("product_name"),
    text("product_category"),
    text("product_type"),
    date("launch_date"),
    text("status"),
  ],
  mutable: ["product_name", "product_category", "product_type", "launch_date", "status"],
  parents: [],
};

/** The customer_products table (a holding) as the write path sees it. */
export const HOLDING_SPEC: ResourceSpec = {
  noun: "holding",
  field: "holding",
  table: "customer_products",
  key: "relationship_id",
  columns: [
    text("relationship_id"),
    text("customer_id"),
    text("product_id"),
    text("relationship_type"),
    date("start_date"),
    date("end_date"),
    { name: "value", type: "decimal" },
  ],
  mutable: ["product_id", "relationship_type", "start_date", "end_date", "value"],
  parents: [
    { column: "customer_id", table: "customers" },
    { column: "product_id", table: "products" },
  ],
};

/** The key column of each parent table. */
export const KEY_OF: Readonly<Record<BaseTable, string>> = {
  customers: "customer_id",
  products: "product_id",
  customer_products: "relationship_id",
};

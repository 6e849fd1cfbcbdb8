import { BASE_SCHEMA, type BaseTableName } from "../schema/base-tables.js";
import { camelCase } from "../schema/schema-sql.js";

/** How a column's value is written and compared: text as is, DATE and DECIMAL(15,2) cast. */
export type ColumnType = "text" | "date" | "decimal";

/** One writable column of a base table, as the schema declares it. */
export interface WriteColumn {
  readonly name: string;
  /** The column's field in the resource's message (camelCase), spelt once here for every read. */
  readonly field: string;
  readonly type: ColumnType;
  /** Whether the column may be NULL (an empty field); required columns must be set. */
  readonly nullable: boolean;
  /** Smallest value allowed, for decimal columns. */
  readonly min?: number;
}

/**
 * One resource the API writes: its table, its key column, every column in table order (the
 * allow-list from which every identifier of a write statement comes), the columns an update
 * may change, and the parents a row must point at. All of it derives from the base-table
 * schema (`src/schema`), so a column added there is written, checked and hashed here too.
 */
export interface ResourceSpec {
  /** The resource's name in messages ("customer", "product", "holding"). */
  readonly noun: string;
  /** The request field holding the resource, for error fields ("customer", "holding"). */
  readonly field: string;
  readonly table: BaseTableName;
  readonly key: string;
  readonly columns: readonly WriteColumn[];
  /** Columns an update may change (every column but the key and the owner). */
  readonly mutable: readonly string[];
  /** Columns that must name an existing row of another table. */
  readonly parents: readonly { readonly column: string; readonly table: BaseTableName }[];
}

const typeOf = (duckdb: string): ColumnType =>
  duckdb === "DATE" ? "date" : duckdb.startsWith("DECIMAL") ? "decimal" : "text";

/** The spec of `table`; `owner` is a column set by the request path, not by an update. */
function specOf(noun: string, table: BaseTableName, owner?: string): ResourceSpec {
  const schema = BASE_SCHEMA[table];
  const columns = schema.columns.map(
    (c): WriteColumn => ({
      name: c.name,
      field: camelCase(c.name),
      type: typeOf(c.duckdb),
      nullable: c.nullable,
      ...("min" in c && c.min !== undefined ? { min: c.min } : {}),
    }),
  );
  return {
    noun,
    field: noun,
    table,
    key: schema.primaryKey,
    columns,
    mutable: columns.map((c) => c.name).filter((n) => n !== schema.primaryKey && n !== owner),
    parents: schema.columns.flatMap((c) =>
      "references" in c && c.references !== undefined
        ? [{ column: c.name, table: c.references.table }]
        : [],
    ),
  };
}

/** The customers table as the write path sees it. */
export const CUSTOMER_SPEC: ResourceSpec = specOf("customer", "customers");

/** The products table as the write path sees it. */
export const PRODUCT_SPEC: ResourceSpec = specOf("product", "products");

/** The customer_products table (a holding) as the write path sees it; its customer is fixed. */
export const HOLDING_SPEC: ResourceSpec = specOf("holding", "customer_products", "customer_id");

/** The key column of each table. */
export const KEY_OF: Readonly<Record<BaseTableName, string>> = {
  customers: BASE_SCHEMA.customers.primaryKey,
  products: BASE_SCHEMA.products.primaryKey,
  customer_products: BASE_SCHEMA.customer_products.primaryKey,
};

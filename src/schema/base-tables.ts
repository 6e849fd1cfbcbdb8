/**
 * The three base tables, declared once. Every other place that needs a column name, a type, a
 * key or a length limit (the snapshot DDL, the Snowflake SELECT, the casts of file sources, the
 * Online Retail mapping's target columns, the data-quality expectations, the export allow-list,
 * the query layer's row types, the tests' DDL) derives it from here, so adding a column is one
 * edit in this file (docs/architecture.md, "Adding a column").
 */

/** One column of a base table, as the contract with Snowflake defines it. */
export interface ColumnSpec {
  readonly name: string;
  /** The DuckDB type stored in the snapshot, spelled as DuckDB's catalog reports it. */
  readonly duckdb: "VARCHAR" | "DATE" | "DECIMAL(15,2)";
  /** The Snowflake type of the source column. */
  readonly snowflake: string;
  /** False for columns every row must fill (checked as `<table>.<column>.not_null`). */
  readonly nullable: boolean;
  /** Most characters a VARCHAR may hold (the snapshot DDL writes `VARCHAR(n)`). */
  readonly maxLength?: number;
  /** The column of another base table this one points at (checked as a foreign key). */
  readonly references?: { readonly table: BaseTableName; readonly column: string };
  /** Smallest value allowed (a number for DECIMAL columns), checked as a range. */
  readonly min?: number;
  /**
   * Few distinct values (a category or a day): the in-memory customer index stores it as codes
   * instead of one string per row.
   */
  readonly fewValues?: boolean;
  /**
   * Added after sources existed: a file source or mapping lacking it yields NULL instead of
   * failing the load. Only nullable columns may be optional.
   */
  readonly optional?: boolean;
  /** What the column means, in one line. */
  readonly meaning: string;
}

/** One base table: its key, the order rows are stored in, and its columns in contract order. */
export interface TableSpec {
  readonly primaryKey: string;
  /**
   * The order rows are stored in: column names, each optionally followed by " DESC". DuckDB
   * prunes row groups by their min/max, so storing each table sorted by the key it is looked up
   * by turns a point lookup into a read of one row group.
   */
  readonly order: readonly string[];
  readonly meaning: string;
  readonly columns: readonly ColumnSpec[];
}

/** Names of the base tables, in load order. */
export type BaseTableName = "customers" | "products" | "customer_products";

/** The optional properties of a column; a column is required (`nullable: false`) unless told. */
type ColumnOptions = Partial<
  Pick<ColumnSpec, "nullable" | "references" | "min" | "fewValues" | "optional">
>;

/** A VARCHAR column of at most `length` characters (Snowflake `VARCHAR(length)`). */
function varchar<N extends string>(
  name: N,
  length: number,
  meaning: string,
  options: ColumnOptions = {},
): ColumnSpec & { readonly name: N } {
  const spec = {
    name,
    duckdb: "VARCHAR",
    snowflake: `VARCHAR(${length})`,
    maxLength: length,
  } as const;
  return { ...spec, nullable: false, ...options, meaning };
}

/** A DATE column. */
function date<N extends string>(
  name: N,
  meaning: string,
  options: ColumnOptions = {},
): ColumnSpec & { readonly name: N } {
  return { name, duckdb: "DATE", snowflake: "DATE", nullable: false, ...options, meaning };
}

/** An exact money column, to the cent (Snowflake `NUMBER(15,2)`). */
function money<N extends string>(
  name: N,
  meaning: string,
  options: ColumnOptions = {},
): ColumnSpec & { readonly name: N } {
  const spec = { name, duckdb: "DECIMAL(15,2)", snowflake: "NUMBER(15,2)" } as const;
  return { ...spec, nullable: false, ...options, meaning };
}

/** The base tables, in load order (customers and products before the relationships). */
export const BASE_SCHEMA = {
  customers: {
    primaryKey: "customer_id",
    order: ["customer_id"],
    meaning: "the people or companies that hold products",
    columns: [
      varchar("customer_id", 50, "the customer's id at the source"),
      varchar("customer_name", 255, "the customer's display name"),
      varchar("customer_type", 50, 'the kind of customer, for example "retail" or "wholesale"', {
        fewValues: true,
      }),
      varchar("region", 100, "where the customer is, for example a country", { fewValues: true }),
      date("registration_date", "the day the customer registered", { fewValues: true }),
      varchar("status", 20, 'the customer\'s status at the source, for example "active"', {
        fewValues: true,
      }),
    ],
  },
  products: {
    primaryKey: "product_id",
    order: ["product_id"],
    meaning: "what customers can hold",
    columns: [
      varchar("product_id", 50, "the product's id at the source"),
      varchar("product_name", 255, "the product's display name"),
      varchar("product_category", 100, "the group the product belongs to"),
      varchar("product_type", 50, "the kind of product"),
      date("launch_date", "the day the product became available"),
      varchar("status", 20, 'the product\'s status at the source, for example "active"'),
    ],
  },
  customer_products: {
    primaryKey: "relationship_id",
    // A portfolio's page order (newest start first), so its in-memory load reads the rows in
    // storage order instead of sorting ten million of them (portfolio-sql.ts).
    order: ["customer_id", "start_date DESC", "relationship_id"],
    meaning: "which customer holds (or held) which product, from when, for how much",
    columns: [
      varchar("relationship_id", 50, "the relationship's id at the source"),
      varchar("customer_id", 50, "the customer holding the product", {
        references: { table: "customers", column: "customer_id" },
      }),
      varchar("product_id", 50, "the product held", {
        references: { table: "products", column: "product_id" },
      }),
      varchar("relationship_type", 50, 'how it is held, for example "purchase" or "subscription"'),
      date("start_date", "the day the relationship began"),
      date("end_date", "the day it ended; NULL while it is current", { nullable: true }),
      money("value", "the relationship's money value, exact to the cent", { min: 0 }),
    ],
  },
} as const satisfies Readonly<Record<BaseTableName, TableSpec>>;

/** The declared columns of one table, as literal types (for row types derived from them). */
export type ColumnsOf<T extends BaseTableName> = (typeof BASE_SCHEMA)[T]["columns"][number];

/** A column name of one table. */
export type ColumnName<T extends BaseTableName> = ColumnsOf<T>["name"];

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
   * The order rows are stored in. DuckDB prunes row groups by their min/max, so storing each
   * table sorted by the key it is looked up by turns a point lookup into a read of one row group.
   */
  readonly order: readonly string[];
  readonly meaning: string;
  readonly columns: readonly ColumnSpec[];
}

/** Names of the base tables, in load order. */
export type BaseTableName = "customers" | "products" | "customer_products";

/** The base tables, in load order (customers and products before the relationships). */
export const BASE_SCHEMA = {
  customers: {
    primaryKey: "customer_id",
    order: ["customer_id"],
    meaning: "the people or companies that hold products",
    columns: [
      {
        name: "customer_id",
        duckdb: "VARCHAR",
        snowflake: "VARCHAR(50)",
        nullable: false,
        maxLength: 50,
        meaning: "the customer's id at the source",
      },
      {
        name: "customer_name",
        duckdb: "VARCHAR",
        snowflake: "VARCHAR(255)",
        nullable: false,
        maxLength: 255,
        meaning: "the customer's display name",
      },
      {
        name: "customer_type",
        duckdb: "VARCHAR",
        snowflake: "VARCHAR(50)",
        nullable: false,
        maxLength: 50,
        fewValues: true,
        meaning: 'the kind of customer, for example "retail" or "wholesale"',
      },
      {
        name: "region",
        duckdb: "VARCHAR",
        snowflake: "VARCHAR(100)",
        nullable: false,
        maxLength: 100,
        fewValues: true,
        meaning: "where the customer is, for example a country",
      },
      {
        name: "registration_date",
        duckdb: "DATE",
        snowflake: "DATE",
        nullable: false,
        fewValues: true,
        meaning: "the day the customer registered",
      },
      {
        name: "status",
        duckdb: "VARCHAR",
        snowflake: "VARCHAR(20)",
        nullable: false,
        maxLength: 20,
        fewValues: true,
        meaning: 'the customer\'s status at the source, for example "active"',
      },
    ],
  },
  products: {
    primaryKey: "product_id",
    order: ["product_id"],
    meaning: "what customers can hold",
    columns: [
      {
        name: "product_id",
        duckdb: "VARCHAR",
        snowflake: "VARCHAR(50)",
        nullable: false,
        maxLength: 50,
        meaning: "the product's id at the source",
      },
      {
        name: "product_name",
        duckdb: "VARCHAR",
        snowflake: "VARCHAR(255)",
        nullable: false,
        maxLength: 255,
        meaning: "the product's display name",
      },
      {
        name: "product_category",
        duckdb: "VARCHAR",
        snowflake: "VARCHAR(100)",
        nullable: false,
        maxLength: 100,
        meaning: "the group the product belongs to",
      },
      {
        name: "product_type",
        duckdb: "VARCHAR",
        snowflake: "VARCHAR(50)",
        nullable: false,
        maxLength: 50,
        meaning: "the kind of product",
      },
      {
        name: "launch_date",
        duckdb: "DATE",
        snowflake: "DATE",
        nullable: false,
        meaning: "the day the product became available",
      },
      {
        name: "status",
        duckdb: "VARCHAR",
        snowflake: "VARCHAR(20)",
        nullable: false,
        maxLength: 20,
        meaning: 'the product\'s status at the source, for example "active"',
      },
    ],
  },
  customer_products: {
    primaryKey: "relationship_id",
    order: ["customer_id", "start_date", "relationship_id"],
    meaning: "which customer holds (or held) which product, from when, for how much",
    columns: [
      {
        name: "relationship_id",
        duckdb: "VARCHAR",
        snowflake: "VARCHAR(50)",
        nullable: false,
        maxLength: 50,
        meaning: "the relationship's id at the source",
      },
      {
        name: "customer_id",
        duckdb: "VARCHAR",
        snowflake: "VARCHAR(50)",
        nullable: false,
        maxLength: 50,
        references: { table: "customers", column: "customer_id" },
        meaning: "the customer holding the product",
      },
      {
        name: "product_id",
        duckdb: "VARCHAR",
        snowflake: "VARCHAR(50)",
        nullable: false,
        maxLength: 50,
        references: { table: "products", column: "product_id" },
        meaning: "the product held",
      },
      {
        name: "relationship_type",
        duckdb: "VARCHAR",
        snowflake: "VARCHAR(50)",
        nullable: false,
        maxLength: 50,
        meaning: 'how the product is held, for example "purchase" or "subscription"',
      },
      {
        name: "start_date",
        duckdb: "DATE",
        snowflake: "DATE",
        nullable: false,
        meaning: "the day the relationship began",
      },
      {
        name: "end_date",
        duckdb: "DATE",
        snowflake: "DATE",
        nullable: true,
        meaning: "the day it ended; NULL while it is current",
      },
      {
        name: "value",
        duckdb: "DECIMAL(15,2)",
        snowflake: "NUMBER(15,2)",
        nullable: false,
        min: 0,
        meaning: "the relationship's money value, exact to the cent",
      },
    ],
  },
} as const satisfies Readonly<Record<BaseTableName, TableSpec>>;

/** The declared columns of one table, as literal types (for row types derived from them). */
export type ColumnsOf<T extends BaseTableName> = (typeof BASE_SCHEMA)[T]["columns"][number];

/** A column name of one table. */
export type ColumnName<T extends BaseTableName> = ColumnsOf<T>["name"];

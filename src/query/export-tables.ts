import type { BaseTableName } from "../schema/base-tables.js";
import { columnsOf, quoted } from "../schema/schema-sql.js";

/** One column an export may write: its name in the file and the SQL that reads it. */
export interface ExportColumn {
  readonly name: string;
  /** An identifier of the source relation (quoted where DuckDB needs it); never a request value. */
  readonly sql: string;
  /** DECIMAL: NDJSON writes it as a string so no JSON parser turns money into a float. */
  readonly decimal?: true;
}

/** One exportable table: where its rows come from, its columns and the columns filters may use. */
export interface ExportTableSpec {
  /** The snapshot relation read; rows come out in its stored order (its key). */
  readonly relation: string;
  readonly columns: readonly ExportColumn[];
  readonly filters: readonly string[];
}

const col = (name: string, sql: string = name): ExportColumn => ({ name, sql });
const money = (name: string, sql: string = name): ExportColumn => ({ name, sql, decimal: true });

/** Every column of a base table, from the schema module; DECIMAL columns written as money. */
function baseColumns(table: BaseTableName): ExportColumn[] {
  return columnsOf(table).map((c) =>
    c.duckdb.startsWith("DECIMAL") ? money(c.name, quoted(c.name)) : col(c.name, quoted(c.name)),
  );
}

/**
 * The allow-list of exports, by the table name a request gives. Base tables are the mirrored
 * rows; `recommendations`, `segments` and `trends` are the snapshot's precomputed analytics
 * (each customer's top products, each customer's RFM scores and segment, the trend roll-up).
 * Filters are the few columns a person slices by; ids filter the relationship and
 * recommendation tables, which are stored sorted by them.
 */
export const EXPORT_TABLES: Readonly<Record<string, ExportTableSpec>> = {
  customers: {
    relation: "customers",
    columns: baseColumns("customers"),
    filters: ["region", "customer_type", "status"],
  },
  products: {
    relation: "products",
    columns: baseColumns("products"),
    filters: ["product_category", "product_type", "status"],
  },
  customer_products: {
    relation: "customer_products",
    columns: baseColumns("customer_products"),
    filters: ["customer_id", "product_id", "relationship_type"],
  },
  recommendations: {
    relation: "recommendations",
    columns: [
      col("customer_id"),
      col("rank"),
      col("product_id"),
      col("product_name"),
      col("product_category"),
      col("score"),
      col("confidence"),
      col("lift"),
      col("support"),
      col("cosine"),
      col("product_holders"),
      col("because_product_ids", "because"),
    ],
    filters: ["customer_id", "product_id", "product_category"],
  },
  segments: {
    relation: "customer_rfm",
    columns: [
      col("customer_id"),
      col("region"),
      col("customer_type"),
      col("last_start_date"),
      col("recency_days", "recency"),
      col("frequency"),
      money("monetary"),
      col("r_score"),
      col("f_score"),
      col("m_score"),
      col("segment"),
    ],
    filters: ["segment", "region", "customer_type"],
  },
  trends: {
    relation: "trend_rollup",
    columns: [
      col("granularity"),
      col("period_start", "bucket"),
      col("region"),
      col("customer_type"),
      col("all_categories", "is_total"),
      col("product_category"),
      money("revenue"),
      col("new_relationships"),
      col("ended_relationships"),
      col("new_customers"),
      col("open_at_start"),
      col("active_customers"),
    ],
    filters: ["granularity", "region", "customer_type", "product_category"],
  },
};

/** The exportable table names, for messages. */
export const EXPORT_TABLE_NAMES: readonly string[] = Object.keys(EXPORT_TABLES);

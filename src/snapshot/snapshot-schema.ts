import type { BaseTable } from "../source/table-feed.js";

/**
 * DDL of the three mirrored tables, exactly as docs/data_sources.md gives them. Loading inserts into these
 * typed tables, so a source whose values do not cast fails the load instead of changing types.
 * Primary keys are not declared: duplicates are counted by validation and reported, which a
 * constraint would turn into an opaque load error.
 */
export const BASE_TABLE_DDL: Readonly<Record<BaseTable, string>> = {
  customers: `CREATE TABLE customers (
    customer_id VARCHAR(50), customer_name VARCHAR(255), customer_type VARCHAR(50),
    region VARCHAR(100), registration_date DATE, status VARCHAR(20))`,
  products: `CREATE TABLE products (
    product_id VARCHAR(50), product_name VARCHAR(255), product_category VARCHAR(100),
    product_type VARCHAR(50), launch_date DATE, status VARCHAR(20))`,
  customer_products: `CREATE TABLE customer_products (
    relationship_id VARCHAR(50), customer_id VARCHAR(50), product_id VARCHAR(50),
    relationship_type VARCHAR(50), start_date DATE, end_date DATE, "value" DECIMAL(15,2))`,
};

/**
 * The order rows are stored in. DuckDB prunes row groups by their min/max, so storing each table
 * sorted by the key it is looked up by turns a point lookup into a read of one row group.
 */
export const BASE_TABLE_ORDER: Readonly<Record<BaseTable, string>> = {
  customers: "customer_id",
  products: "product_id",
  customer_products: "customer_id, start_date, relationship_id",
};

/**
 * A second copy of the relationships sorted by product, so that "who holds this product" is as
 * cheap as "what does this customer hold".
 */
export const PRODUCT_HOLDINGS_SQL = `CREATE TABLE customer_products_by_product AS
  SELECT * FROM customer_products ORDER BY product_id, customer_id, relationship_id`;

/** The snapshot's description of itself, written last so that a snapshot without it is incomplete. */
export const META_DDL = [
  `CREATE TABLE snapshot_meta (
    snapshot_id VARCHAR, source VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP,
    data_as_of TIMESTAMP, source_fingerprint VARCHAR)`,
  "CREATE TABLE snapshot_tables (table_name VARCHAR, row_count BIGINT, build_ms DOUBLE)",
  "CREATE TABLE snapshot_notes (kind VARCHAR, message VARCHAR, row_count BIGINT)",
] as const;

/** Reads the snapshot's description back when it is opened. */
export const META_SELECT = {
  meta: `SELECT snapshot_id, source, strftime(started_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS started_at,
    strftime(finished_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS finished_at,
    strftime(data_as_of, '%Y-%m-%dT%H:%M:%S.%gZ') AS data_as_of, source_fingerprint
    FROM snapshot_meta`,
  tables: "SELECT table_name, row_count, build_ms FROM snapshot_tables ORDER BY table_name",
  notes: "SELECT kind, message, row_count FROM snapshot_notes ORDER BY kind, message",
} as const;

/**
 * Which source a snapshot was built from: its kind and its identity (the Snowflake account,
 * database and schema, the local directory, or the bundled file). A snapshot from another
 * source than the configured one is never served, so a changed configuration cannot answer
 * with the old source's data. Written with the metadata, before the metadata row.
 */
export const SOURCE_DDL = "CREATE TABLE snapshot_source (kind VARCHAR, identity VARCHAR)";

/** Writes and reads the snapshot's source (snapshots built before it existed have none). */
export const SOURCE_SQL = {
  insert: "INSERT INTO snapshot_source VALUES (?, ?)",
  select: "SELECT kind, identity FROM snapshot_source",
  exists: "SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'snapshot_source'",
} as const;

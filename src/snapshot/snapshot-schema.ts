import type { BaseTableName } from "../schema/base-tables.js";
import { BASE_TABLE_NAMES, createTableSql, storedOrder } from "../schema/schema-sql.js";

/**
 * DDL of the three mirrored tables, derived from the schema module. Loading inserts into these
 * typed tables, so a source whose values do not cast fails the load instead of changing types.
 */
export const BASE_TABLE_DDL: Readonly<Record<BaseTableName, string>> = Object.fromEntries(
  BASE_TABLE_NAMES.map((table) => [table, createTableSql(table)]),
) as Record<BaseTableName, string>;

/** The order rows are stored in (see `TableSpec.order`): each table by the key it is read by. */
export const BASE_TABLE_ORDER: Readonly<Record<BaseTableName, string>> = Object.fromEntries(
  BASE_TABLE_NAMES.map((table) => [table, storedOrder(table)]),
) as Record<BaseTableName, string>;

/** The snapshot's description of itself, written last so that a snapshot without it is incomplete. */
export const META_DDL = [
  `CREATE TABLE snapshot_meta (
    snapshot_id VARCHAR, source VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP,
    data_as_of TIMESTAMP, source_fingerprint VARCHAR, schema_version VARCHAR)`,
  "CREATE TABLE snapshot_tables (table_name VARCHAR, row_count BIGINT, build_ms DOUBLE)",
  "CREATE TABLE snapshot_notes (kind VARCHAR, message VARCHAR, row_count BIGINT)",
] as const;

/** Reads the snapshot's description back when it is opened. */
export const META_SELECT = {
  meta: `SELECT snapshot_id, source, strftime(started_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS started_at,
    strftime(finished_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS finished_at,
    strftime(data_as_of, '%Y-%m-%dT%H:%M:%S.%gZ') AS data_as_of, source_fingerprint,
    schema_version FROM snapshot_meta`,
  tables: "SELECT table_name, row_count, build_ms FROM snapshot_tables ORDER BY table_name",
  notes: "SELECT kind, message, row_count FROM snapshot_notes ORDER BY kind, message",
  /**
   * The whole metadata row, read before anything else: a snapshot written before schema versions
   * were recorded has no `schema_version` column, which naming it would turn into a bind error.
   */
  version: "SELECT * FROM snapshot_meta LIMIT 1",
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

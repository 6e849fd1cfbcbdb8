import { BASE_TABLES, type BaseTable } from "./table-feed.js";

/**
 * The Snowflake SQL the source sends. Table and column names come only from
 * {@link BASE_TABLES} (the allow-list, derived from the schema module, which checks each name is a
 * plain identifier); every value, including the point in time, is bound.
 * Names are unquoted, so Snowflake resolves them upper-case as it stores unquoted identifiers.
 */

/** The base tables in load order. */
export const SNOWFLAKE_TABLES = Object.keys(BASE_TABLES) as BaseTable[];

/** The names Snowflake's metadata uses for the base tables (unquoted, so upper case). */
export const METADATA_TABLE_NAMES = SNOWFLAKE_TABLES.map((table) => table.toUpperCase());

/** The one point in time a sync reads at, from Snowflake's clock (a client clock may be ahead). */
export const CURRENT_TIMESTAMP_SQL = "SELECT CURRENT_TIMESTAMP() AS NOW";

/**
 * The cheap change check: row count and last change of each base table in the session's
 * database and schema. Binds the three upper-case table names.
 */
export const TABLE_METADATA_SQL = `SELECT TABLE_NAME, TABLE_TYPE, ROW_COUNT, LAST_ALTERED
FROM INFORMATION_SCHEMA.TABLES
WHERE TABLE_SCHEMA = CURRENT_SCHEMA() AND TABLE_NAME IN (${METADATA_TABLE_NAMES.map(() => "?").join(", ")})`;

/** Time Travel to the bound point in time (an ISO 8601 text, cast explicitly as Snowflake asks). */
const AT_BOUND_TIMESTAMP = "AT(TIMESTAMP => ?::TIMESTAMP_LTZ)";

/** Per table: how many rows it held at the bound point in time (one column, `N`). */
export const COUNT_AT_SQL = Object.fromEntries(
  SNOWFLAKE_TABLES.map((table) => [
    table,
    `SELECT COUNT(*) AS N FROM ${table} ${AT_BOUND_TIMESTAMP}`,
  ]),
) as Record<BaseTable, string>;

/** Per table: its contract columns, in {@link BASE_TABLES} order, at the bound point in time. */
export const SELECT_AT_SQL = Object.fromEntries(
  SNOWFLAKE_TABLES.map((table) => [
    table,
    `SELECT ${BASE_TABLES[table].join(", ")} FROM ${table} ${AT_BOUND_TIMESTAMP}`,
  ]),
) as Record<BaseTable, string>;

/**
 * The bind value for `AT(TIMESTAMP => ?::TIMESTAMP_LTZ)`: ISO 8601 with an explicit `+00:00`
 * offset, a form Snowflake's AUTO timestamp detection accepts (`YYYY-MM-DD"T"HH24:MI:SS.FFTZH:TZM`)
 * whatever the session's time zone.
 */
export function timestampBind(at: Date): string {
  return at.toISOString().replace("Z", "+00:00");
}

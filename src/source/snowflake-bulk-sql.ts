import { columnsOf } from "../schema/schema-sql.js";
import { BASE_TABLES, type BaseTable } from "./table-feed.js";

/**
 * The statements of a bulk unload. Stage statements (COPY INTO a location, LIST, REMOVE, GET)
 * take no bound values in Snowflake, so every part spliced into them is checked here against
 * a strict pattern first: the stage name from the configuration, the sync id, the point in
 * time the service itself formatted, a local directory it created, and file names Snowflake
 * listed. No request value ever reaches these statements.
 */

const STAGE_NAME = /^[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*){0,2}$/;
const SYNC_ID = /^[A-Za-z0-9_-]{1,80}$/;
const AT_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?\+00:00$/;
const LOCAL_DIR = /^\/[A-Za-z0-9_./-]+$/;
const FILE_NAME = /^[A-Za-z0-9_.-]+$/;

/** The folder under a stage that holds every sync's unloads (and nothing else of ours). */
export const STAGE_ROOT = "customer_analytics";

function checked(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new RangeError(`not a valid ${what}: ${value}`);
  return value;
}

/** Whether `name` can name a stage (`SNOWFLAKE_STAGE`): an identifier, optionally qualified. */
export function isStageName(name: string): boolean {
  return STAGE_NAME.test(name);
}

/** The name of the temporary stage of one sync. */
export function temporaryStageName(syncId: string): string {
  return `CUSTOMER_ANALYTICS_${checked(syncId, SYNC_ID, "sync id").replaceAll("-", "_").toUpperCase()}`;
}

/** `@stage/customer_analytics/<sync id>/<table>/`: where one table of one sync is unloaded. */
export function tablePrefix(stage: string, syncId: string, table: BaseTable): string {
  return `@${checked(stage, STAGE_NAME, "stage name")}/${STAGE_ROOT}/${checked(syncId, SYNC_ID, "sync id")}/${table}/`;
}

/** Creates the sync's temporary stage (it vanishes with the session). */
export const createTemporaryStageSql = (stage: string): string =>
  `CREATE TEMPORARY STAGE IF NOT EXISTS ${checked(stage, STAGE_NAME, "stage name")}`;

/** Drops the sync's temporary stage, so a pooled session does not keep it. */
export const dropStageSql = (stage: string): string =>
  `DROP STAGE IF EXISTS ${checked(stage, STAGE_NAME, "stage name")}`;

/**
 * Unloads one table's contract columns as of `at` as Parquet files of at most `maxFileBytes`,
 * with the column names kept (HEADER = TRUE), so DuckDB reads them by name.
 */
export function unloadSql(
  prefix: string,
  table: BaseTable,
  at: string,
  maxFileBytes: number,
): string {
  const ts = checked(at, AT_TIMESTAMP, "point in time");
  const bytes = Math.floor(maxFileBytes);
  return `COPY INTO ${prefix} FROM (SELECT ${BASE_TABLES[table].join(", ")} FROM ${table} AT(TIMESTAMP => '${ts}'::TIMESTAMP_LTZ)) FILE_FORMAT = (TYPE = PARQUET) HEADER = TRUE MAX_FILE_SIZE = ${bytes}`;
}

/** Lists the files under a prefix (name, size, md5, last_modified). */
export const listSql = (prefix: string): string => `LIST ${prefix}`;

/** Removes every file under a prefix. */
export const removeSql = (prefix: string): string => `REMOVE ${prefix}`;

/** `@stage/customer_analytics/`: everything earlier syncs may have left on a named stage. */
export function stageRoot(stage: string): string {
  return `@${checked(stage, STAGE_NAME, "stage name")}/${STAGE_ROOT}/`;
}

/** Downloads the named files of a prefix into `dir` (one GET; several run at once). */
export function getSql(prefix: string, dir: string, files: readonly string[]): string {
  const local = checked(dir, LOCAL_DIR, "local directory");
  const names = files.map((f) => checked(f, FILE_NAME, "file name").replaceAll(".", "[.]"));
  return `GET ${prefix} 'file://${local}/' PATTERN = '.*/(${names.join("|")})'`;
}

/**
 * The column types DuckDB must see in the unloaded files, per table, in contract order: the
 * schema module's snapshot types, which are what Snowflake writes for the contract's types
 * (VARCHAR as strings, DATE as dates, NUMBER(15,2) as DECIMAL(15,2), so money stays exact).
 */
export function parquetTypes(table: BaseTable): readonly string[] {
  return columnsOf(table).map((column) => column.duckdb);
}

/**
 * A DuckDB check over the downloaded files (bound: their glob): one row per contract column
 * that is missing or of another type than {@link parquetTypes}, none when all agree.
 */
export function parquetTypeCheckSql(table: BaseTable): string {
  const expected = BASE_TABLES[table]
    .map((column, i) => `('${column}', '${parquetTypes(table)[i]}')`)
    .join(", ");
  return `SELECT e.name || ' is ' || coalesce(d.column_type, 'missing') || ', not ' || e.type AS detail
  FROM (VALUES ${expected}) e(name, type)
  LEFT JOIN (SELECT lower(column_name) AS name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))) d
    USING (name)
  WHERE d.column_type IS DISTINCT FROM e.type`;
}

/** The table's contract columns from the downloaded files (bound: their glob). */
export function readParquetSql(table: BaseTable): string {
  return `SELECT ${BASE_TABLES[table].map((c) => `"${c}"`).join(", ")} FROM read_parquet(?)`;
}

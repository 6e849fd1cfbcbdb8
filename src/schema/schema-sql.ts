import { BASE_SCHEMA, type BaseTableName, type ColumnSpec } from "./base-tables.js";

/**
 * What every layer derives from {@link BASE_SCHEMA}: names, types, DDL and select lists. The
 * identifiers all come from the declaration, so they are an allow-list; each is checked once
 * here to be a plain lower-case identifier, so quoting can never be needed for safety.
 */

/** The base tables in load order. */
export const BASE_TABLE_NAMES = Object.keys(BASE_SCHEMA) as BaseTableName[];

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
for (const table of BASE_TABLE_NAMES) {
  for (const name of [table, ...BASE_SCHEMA[table].columns.map((c) => c.name)]) {
    if (!IDENTIFIER.test(name)) throw new Error(`not a plain identifier: ${name}`);
  }
}

/** The columns of a table, in contract order. */
export function columnsOf(table: BaseTableName): readonly ColumnSpec[] {
  return BASE_SCHEMA[table].columns;
}

/** The column names of a table, in contract order. */
export function columnNames(table: BaseTableName): readonly string[] {
  return columnsOf(table).map((c) => c.name);
}

/** Quotes a column name (`value` is a DuckDB keyword); names are checked identifiers. */
export function quoted(name: string): string {
  return `"${name}"`;
}

/** The type a column is declared with in the snapshot DDL (`VARCHAR(50)`, `DATE`, ...). */
export function ddlType(column: ColumnSpec): string {
  return column.maxLength === undefined ? column.duckdb : `${column.duckdb}(${column.maxLength})`;
}

/**
 * The DuckDB CREATE TABLE of a base table. Primary keys are not declared: duplicates are counted
 * by validation and reported or blocked, which a constraint would turn into an opaque load error.
 */
export function createTableSql(table: BaseTableName): string {
  const columns = columnsOf(table).map((c) => `${quoted(c.name)} ${ddlType(c)}`);
  return `CREATE TABLE ${table} (${columns.join(", ")})`;
}

/** The ORDER BY list a table is stored in (names quoted, only DESC allowed after one). */
export function storedOrder(table: BaseTableName): string {
  return BASE_SCHEMA[table].order
    .map((key) => {
      const [name = "", direction, ...rest] = key.split(" ");
      if (rest.length > 0 || (direction !== undefined && direction !== "DESC")) {
        throw new Error(`bad stored order key ${key} of ${table}`);
      }
      return direction === undefined ? quoted(name) : `${quoted(name)} DESC`;
    })
    .join(", ");
}

/** The DuckDB type of a contract column, or undefined for a name the contract lacks. */
export function duckdbTypeOf(table: BaseTableName, column: string): string | undefined {
  return columnsOf(table).find((c) => c.name === column)?.duckdb;
}

/** The primary key column of a table. */
export function primaryKeyOf(table: BaseTableName): string {
  return BASE_SCHEMA[table].primaryKey;
}

/** The columns every row must fill. */
export function requiredColumns(table: BaseTableName): readonly string[] {
  return columnsOf(table)
    .filter((c) => !c.nullable)
    .map((c) => c.name);
}

/** Every declared foreign key, as the referencing and the referenced column. */
export function foreignKeys(): readonly {
  readonly table: BaseTableName;
  readonly column: string;
  readonly references: { readonly table: BaseTableName; readonly column: string };
}[] {
  return BASE_TABLE_NAMES.flatMap((table) =>
    columnsOf(table).flatMap((c) =>
      c.references === undefined ? [] : [{ table, column: c.name, references: c.references }],
    ),
  );
}

/**
 * A column name as the query layer writes it: unquoted, so Snowflake resolves it upper-case as it
 * stores unquoted identifiers (the live path runs the same SQL), except DuckDB's keyword `value`.
 */
export function sqlName(name: string): string {
  return name === "value" ? quoted(name) : name;
}

/**
 * A select list reading every contract column of `alias` (`c.customer_id, c.customer_name, ...`),
 * the query layer's lookups. `datesAsText` casts DATE columns to `YYYY-MM-DD` text.
 */
export function selectList(
  table: BaseTableName,
  alias: string,
  options: { readonly datesAsText?: boolean } = {},
): string {
  return columnsOf(table)
    .map((c) => {
      const column = `${alias}.${sqlName(c.name)}`;
      return options.datesAsText === true && c.duckdb === "DATE"
        ? `CAST(${column} AS VARCHAR) AS ${sqlName(c.name)}`
        : column;
    })
    .join(", ");
}

/**
 * Every column of `alias` but the key, each through the aggregate `fn` (`min(c.region) AS
 * region`), for queries grouped by the table's key that still return the whole row.
 */
export function aggregatedList(
  table: BaseTableName,
  alias: string,
  fn: "min" | "any_value",
): string {
  const key = primaryKeyOf(table);
  return columnsOf(table)
    .filter((c) => c.name !== key)
    .map((c) => `${fn}(${alias}.${sqlName(c.name)}) AS ${sqlName(c.name)}`)
    .join(", ");
}

/** snake_case to camelCase, at the type level, for the query layer's row types. */
export type CamelCase<S extends string> = S extends `${infer H}_${infer T}`
  ? `${H}${Capitalize<CamelCase<T>>}`
  : S;

/** snake_case to camelCase, the value-level twin of {@link CamelCase}. */
export function camelCase<S extends string>(name: S): CamelCase<S> {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) as CamelCase<S>;
}

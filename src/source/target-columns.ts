import type { BaseTableName, ColumnName } from "../schema/base-tables.js";
import { columnsOf, quoted } from "../schema/schema-sql.js";

/**
 * How a source that computes its rows (the Online Retail mapping) fills one base table: a SQL
 * expression per contract column. Nullable columns may be left out (they load as NULL), so a
 * column added to the schema needs no edit here unless the source has a value for it.
 */
export type ColumnMapping<T extends BaseTableName> = Readonly<
  Partial<Record<ColumnName<T>, string>>
>;

/**
 * The select list yielding exactly the table's columns in contract order, each expression cast
 * to its column's type. Expressions are fixed text from the mapping (their `?` are bound in
 * contract order); a required column without an expression is a bug and throws at load time.
 */
export function targetSelectList<T extends BaseTableName>(
  table: T,
  mapping: ColumnMapping<T>,
): string {
  const expressions: Readonly<Record<string, string | undefined>> = mapping;
  return columnsOf(table)
    .map((column) => {
      const expression = expressions[column.name];
      if (expression === undefined && !column.nullable) {
        throw new Error(`the mapping of ${table} gives no value for ${column.name}`);
      }
      return `CAST(${expression ?? "NULL"} AS ${column.duckdb}) AS ${quoted(column.name)}`;
    })
    .join(",\n  ");
}

import { BASE_TABLE_NAMES, duckdbTypeOf, primaryKeyOf } from "../../schema/schema-sql.js";
import type { SqlParam } from "../../snapshot/sql-runner.js";
import type { BaseTable } from "../../source/table-feed.js";

/** How a row-level check is evaluated: null counting, a row predicate, or duplicate grouping. */
export type RowCheckKind = "not_null" | "map" | "unique";

/** A column a check reads; the check is skipped when the catalog lacks it. */
export interface ColumnRef {
  readonly table: BaseTable;
  readonly column: string;
}

/**
 * One GX-style row-level expectation. All SQL fragments are fixed text written against the
 * contract's column names; the only values (value sets, today's date) are bound `params`.
 */
export interface RowCheck {
  readonly id: string;
  /** The Great Expectations expectation this check mirrors. */
  readonly expectation: string;
  readonly table: BaseTable;
  readonly columns: readonly string[];
  readonly requires: readonly ColumnRef[];
  readonly description: string;
  readonly kind: RowCheckKind;
  /** Primary-key checks use the stricter key thresholds. */
  readonly isKey: boolean;
  /** FROM clause; checks sharing it are evaluated in one scan. */
  readonly from: string;
  /** Rows GX counts as non-missing for this check (`TRUE` for not-null checks). */
  readonly evaluated: string;
  /** Among evaluated rows, the ones that fail. */
  readonly unexpected: string;
  readonly params: readonly SqlParam[];
  /** Text of the unexpected value, for samples. */
  readonly value: string;
  /** The row's primary key, for samples. */
  readonly key: string;
  /** Row order of the checked table (its rowid): samples are the first unexpected rows, as in GX. */
  readonly order: string;
  /** False when each unexpected value is a per-row composite, so counting values says nothing. */
  readonly countValues: boolean;
}

/** The primary key of each base table, from the schema module. */
export const TABLE_KEYS: Readonly<Record<BaseTable, string>> = {
  customers: primaryKeyOf("customers"),
  products: primaryKeyOf("products"),
  customer_products: primaryKeyOf("customer_products"),
};

/**
 * The DuckDB type a contract column must have (from the schema module; VARCHAR for a name no
 * table declares). Checks run only on columns of that type (their SQL compares dates and
 * numbers); the schema check reports any other.
 */
export function expectedType(column: string, table?: BaseTable): string {
  const tables = table === undefined ? BASE_TABLE_NAMES : [table];
  for (const t of tables) {
    const type = duckdbTypeOf(t, column);
    if (type !== undefined) return type;
  }
  return "VARCHAR";
}

/** Quotes a contract column name (`value` is a DuckDB keyword). */
export const q = (column: string) => `"${column}"`;
/** Renders an expression as text for samples. */
export const text = (expr: string) => `CAST(${expr} AS VARCHAR)`;

/** The fields every single-table check shares: table, columns, FROM and row key. */
export function base(table: BaseTable, columns: readonly string[]) {
  return {
    table,
    columns,
    requires: columns.map((column) => ({ table, column })),
    isKey: false,
    from: q(table),
    params: [],
    key: text(q(TABLE_KEYS[table])),
    order: "rowid",
    countValues: true,
  };
}

/** GX `expect_column_values_to_not_be_null`. */
export function notNull(table: BaseTable, column: string): RowCheck {
  return {
    ...base(table, [column]),
    id: `${table}.${column}.not_null`,
    expectation: "expect_column_values_to_not_be_null",
    description: `${table}.${column} is never null`,
    kind: "not_null",
    isKey: column === TABLE_KEYS[table],
    evaluated: "TRUE",
    unexpected: `${q(column)} IS NULL`,
    value: "CAST(NULL AS VARCHAR)",
  };
}

/** GX `expect_column_values_to_be_unique`, or `expect_compound_columns_to_be_unique` for several columns. */
export function unique(
  table: BaseTable,
  columns: readonly string[],
  id: string,
  description: string,
): RowCheck {
  const single = columns.length === 1;
  return {
    ...base(table, columns),
    id,
    expectation: single
      ? "expect_column_values_to_be_unique"
      : "expect_compound_columns_to_be_unique",
    description,
    kind: "unique",
    isKey: single,
    evaluated: columns.map((c) => `${q(c)} IS NOT NULL`).join(" AND "),
    unexpected: "TRUE",
    value: single
      ? text(q(columns[0] ?? ""))
      : `concat_ws('|', ${columns.map((c) => text(q(c))).join(", ")})`,
  };
}

/** GX `expect_column_values_to_be_in_set`; the set is bound, one `?` per value. */
export function inSet(table: BaseTable, column: string, values: readonly string[]): RowCheck {
  const placeholders = values.map(() => "?").join(", ");
  return {
    ...base(table, [column]),
    id: `${table}.${column}.in_set`,
    expectation: "expect_column_values_to_be_in_set",
    description: `${table}.${column} is one of: ${values.join(", ")}`,
    kind: "map",
    evaluated: `${q(column)} IS NOT NULL`,
    unexpected: values.length === 0 ? "TRUE" : `${q(column)} NOT IN (${placeholders})`,
    params: values,
    value: text(q(column)),
  };
}

/** GX `expect_column_values_to_be_between(max_value=today)`: no date after the build date. */
export function notInFuture(table: BaseTable, column: string, today: string): RowCheck {
  return {
    ...base(table, [column]),
    id: `${table}.${column}.not_in_future`,
    expectation: "expect_column_values_to_be_between",
    description: `${table}.${column} is not after the build date (${today})`,
    kind: "map",
    evaluated: `${q(column)} IS NOT NULL`,
    unexpected: `${q(column)} > CAST(? AS DATE)`,
    params: [today],
    value: text(q(column)),
  };
}

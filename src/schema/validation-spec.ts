import type { BaseTableName } from "./base-tables.js";
import {
  BASE_TABLE_NAMES,
  columnsOf,
  foreignKeys,
  primaryKeyOf,
  quoted,
  requiredColumns,
} from "./schema-sql.js";

/**
 * What a failed check does: `block` fails the sync (the live snapshot keeps serving and the sync
 * status names the check and its row count); `report` lets the snapshot through and the check
 * appears in the data-quality report (and in the snapshot's notes).
 */
export type Severity = "block" | "report";

/** What a check tests; each kind is evaluated one way, by the build's validation step. */
export type CheckKind =
  | "columns"
  | "row_count"
  | "not_empty"
  | "shrink"
  | "unique"
  | "not_null"
  | "foreign_key"
  | "range";

/**
 * One check of the loaded base tables. The ids are those of the data-quality report, so a check
 * that reports is the very row of that report, and a blocking one is named the same way in the
 * sync status.
 */
export interface ValidationCheck {
  readonly id: string;
  readonly kind: CheckKind;
  readonly table: BaseTableName;
  readonly column?: string;
  readonly description: string;
  /** Today's behaviour, kept unless `SYNC_BLOCKING_CHECKS` says otherwise. */
  readonly defaultSeverity: Severity;
  /**
   * For row checks: a SELECT returning one row with `n` (failing rows) and `example` (one
   * failing value as text, may be NULL). Identifiers come from the schema; no parameters.
   */
  readonly sql?: string;
}

/** Keys occurring more than once; NULL keys group together, so two NULL keys count too. */
const countUnique = (table: string, key: string) =>
  `SELECT count(*)::BIGINT AS n, CAST(min(k) AS VARCHAR) AS example FROM
  (SELECT ${quoted(key)} AS k FROM ${table} GROUP BY ${quoted(key)} HAVING count(*) > 1)`;

const countNull = (table: string, column: string) =>
  `SELECT count(*)::BIGINT AS n, CAST(NULL AS VARCHAR) AS example FROM ${table}
  WHERE ${quoted(column)} IS NULL`;

const countOrphans = (table: string, column: string, parent: string, parentColumn: string) =>
  `SELECT count(*)::BIGINT AS n, CAST(min(r.${quoted(column)}) AS VARCHAR) AS example
  FROM ${table} AS r
  WHERE r.${quoted(column)} IS NOT NULL AND NOT EXISTS
    (SELECT 1 FROM ${parent} AS p WHERE p.${quoted(parentColumn)} = r.${quoted(column)})`;

const countBelow = (table: string, column: string, min: number) =>
  `SELECT count(*)::BIGINT AS n, CAST(min(${quoted(column)}) AS VARCHAR) AS example FROM ${table}
  WHERE ${quoted(column)} < ${Number(min)}`;

/** The tables a sync may never leave empty unless told to (`allow_shrink`). */
const MUST_NOT_BE_EMPTY: readonly BaseTableName[] = ["customers", "customer_products"];

function tableChecks(table: BaseTableName): ValidationCheck[] {
  const key = primaryKeyOf(table);
  const checks: ValidationCheck[] = [
    {
      id: `${table}.schema`,
      kind: "columns",
      table,
      description: `${table} has the contract's columns, each value casting to its type`,
      defaultSeverity: "block",
    },
    {
      id: `${table}.source_row_count`,
      kind: "row_count",
      table,
      description: `${table} holds as many rows as the source reported`,
      defaultSeverity: "block",
    },
  ];
  // The data-quality report's `<table>.row_count` (at least one row), blocking where an empty
  // table would replace a good snapshot with nothing.
  checks.push({
    id: `${table}.row_count`,
    kind: "not_empty",
    table,
    description: `${table} is not empty`,
    defaultSeverity: MUST_NOT_BE_EMPTY.includes(table) ? "block" : "report",
  });
  checks.push(
    {
      id: `${table}.shrink`,
      kind: "shrink",
      table,
      description: `${table} does not shrink by more than SYNC_MAX_SHRINK of the live snapshot's rows`,
      defaultSeverity: "block",
    },
    {
      id: `${table}.${key}.unique`,
      kind: "unique",
      table,
      column: key,
      description: `${table}.${key} is a primary key`,
      defaultSeverity: "block",
      sql: countUnique(table, key),
    },
    ...requiredColumns(table).map(
      (column): ValidationCheck => ({
        id: `${table}.${column}.not_null`,
        kind: "not_null",
        table,
        column,
        description: `${table}.${column} is never null`,
        defaultSeverity: "report",
        sql: countNull(table, column),
      }),
    ),
  );
  for (const column of columnsOf(table)) {
    if (column.min === undefined) continue;
    checks.push({
      id: `${table}.${column.name}.non_negative`,
      kind: "range",
      table,
      column: column.name,
      description: `${table}.${column.name} is at least ${column.min}`,
      defaultSeverity: "report",
      sql: countBelow(table, column.name, column.min),
    });
  }
  return checks;
}

/**
 * Every check of the base tables, declared once: file sources run the `columns` checks before
 * loading, the build runs the rest after loading (blocking ones fail the sync), and the
 * data-quality report evaluates the row checks with samples under the same ids.
 */
export const VALIDATION_CHECKS: readonly ValidationCheck[] = [
  ...BASE_TABLE_NAMES.flatMap(tableChecks),
  ...foreignKeys().map(
    ({ table, column, references }): ValidationCheck => ({
      id: `${table}.${column}.foreign_key`,
      kind: "foreign_key",
      table,
      column,
      description: `every ${table}.${column} exists in ${references.table}`,
      defaultSeverity: "report",
      sql: countOrphans(table, column, references.table, references.column),
    }),
  ),
];

/** The ids of the checks that block by default: today's blocking set. */
export const DEFAULT_BLOCKING_CHECKS: readonly string[] = VALIDATION_CHECKS.filter(
  (c) => c.defaultSeverity === "block",
).map((c) => c.id);

/** Every check id, for configuration messages. */
export const VALIDATION_CHECK_IDS: readonly string[] = VALIDATION_CHECKS.map((c) => c.id);

/**
 * Checks whose failure no setting can waive: a file whose columns are missing or do not cast
 * cannot be loaded at all.
 */
export const ALWAYS_BLOCKING: ReadonlySet<string> = new Set(
  VALIDATION_CHECKS.filter((c) => c.kind === "columns").map((c) => c.id),
);

/** The checks that `allow_shrink` waives: the ones that protect against a sync losing rows. */
export const SHRINK_CHECK_KINDS: ReadonlySet<CheckKind> = new Set(["not_empty", "shrink"]);

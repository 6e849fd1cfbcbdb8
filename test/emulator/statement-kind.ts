/**
 * What kind of statement DuckDB prepared, the Snowflake `statementTypeId` for it, which
 * table a write targets, and the synthetic result rows Snowflake returns for DML and DDL
 * (`number of rows inserted`, `Table X successfully created.` …).
 *
 * @module
 */
import { StatementType } from "@duckdb/node-api";
import type { QueryResult } from "./query-store.js";
import { syntheticColumn } from "./result-encoding.js";
import { isSignificant, type Token } from "./sql-tokenizer.js";

/** Statement type ids of Snowflake's result metadata (driver `statement_type.js`). */
export const STATEMENT_TYPE_IDS = {
  select: 0x1000,
  insert: 0x3100,
  update: 0x3200,
  delete: 0x3300,
  merge: 0x3400,
  session: 0x4000,
  use: 0x4300,
  tcl: 0x5000,
  ddl: 0x6000,
} as const;

/** Statement kinds the emulator distinguishes. */
export type StatementKind = "select" | "insert" | "update" | "delete" | "merge" | "ddl" | "other";

/** Classifies a DuckDB statement type. */
export function statementKind(type: StatementType): StatementKind {
  switch (type) {
    case StatementType.SELECT:
    case StatementType.EXPLAIN:
    case StatementType.PRAGMA:
    case StatementType.CALL:
      return "select";
    case StatementType.INSERT:
    case StatementType.COPY:
      return "insert";
    case StatementType.UPDATE:
      return "update";
    case StatementType.DELETE:
      return "delete";
    case StatementType.MERGE_INTO:
      return "merge";
    case StatementType.CREATE:
    case StatementType.DROP:
    case StatementType.ALTER:
      return "ddl";
    default:
      return "other";
  }
}

const WRITE_HEAD =
  /^(?:INSERT (?:OR \w+ )?INTO|UPDATE|DELETE FROM|TRUNCATE(?: TABLE)?|MERGE INTO|COPY|CREATE (?:OR REPLACE )?(?:TEMP(?:ORARY)? )?TABLE(?: IF NOT EXISTS)?|DROP TABLE(?: IF EXISTS)?|ALTER TABLE(?: IF EXISTS)?) ((?:"(?:[^"]|"")+"|[\w$]+)(?: \. (?:"(?:[^"]|"")+"|[\w$]+))*)/i;

/** The first significant tokens of a statement joined by single spaces. */
function head(tokens: readonly Token[], count: number): string {
  return tokens
    .filter(isSignificant)
    .slice(0, count)
    .map((t) => t.text)
    .join(" ");
}

/** The lower-case table a write statement targets, if it can be read off its head. */
export function writeTarget(tokens: readonly Token[]): string | undefined {
  const match = WRITE_HEAD.exec(head(tokens, 16));
  const qualified = match?.[1];
  if (qualified === undefined) return undefined;
  const last = qualified.split(" . ").at(-1) ?? "";
  return (last.startsWith('"') ? last.slice(1, -1).replaceAll('""', '"') : last).toLowerCase();
}

/** The result Snowflake sends for DML: the counts as `fixed` columns, one row. */
export function dmlResult(
  kind: "insert" | "update" | "delete" | "merge",
  rows: number,
): QueryResult {
  const columns: Record<typeof kind, string[]> = {
    insert: ["number of rows inserted"],
    update: ["number of rows updated", "number of multi-joined rows updated"],
    delete: ["number of rows deleted"],
    merge: ["number of rows inserted", "number of rows updated", "number of rows deleted"],
  };
  const names = columns[kind];
  return {
    rowtype: names.map((name) => syntheticColumn(name, "fixed")),
    rowset: [names.map((_, i) => (i === 0 ? String(rows) : "0"))],
    total: 1,
    statementTypeId: STATEMENT_TYPE_IDS[kind],
    kind,
  };
}

/** The one-row `status` result of DDL and session statements. */
export function statusResult(status: string, statementTypeId: number, kind: string): QueryResult {
  return {
    rowtype: [syntheticColumn("status", "text")],
    rowset: [[status]],
    total: 1,
    statementTypeId,
    kind,
  };
}

/** The status text Snowflake uses for a DDL statement. */
export function ddlStatus(tokens: readonly Token[], target: string | undefined): string {
  const verb = head(tokens, 1).toUpperCase();
  const name = (target ?? "").toUpperCase();
  if (verb === "CREATE" && target !== undefined) return `Table ${name} successfully created.`;
  if (verb === "DROP" && target !== undefined) return `${name} successfully dropped.`;
  return "Statement executed successfully.";
}

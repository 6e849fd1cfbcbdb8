import {
  PROFILE_DOCUMENT_SQL,
  PROFILE_SUMMARIES_SQL,
} from "../analytics/profiles/profiles-schema.js";
import { AppError } from "../app-error.js";
import type { SqlRunner } from "../snapshot/sql-runner.js";
import { columnProfileFrom, tableStatsFrom } from "./explore-profile-rows.js";
import { readDataQualityReport } from "./explore-quality.js";
import type {
  Correlation,
  CorrelationStatus,
  DataQualityReport,
  ProfileAlert,
  SemanticType,
  TableInfo,
  TableProfileResult,
} from "./explore-types.js";
import {
  groupBy,
  lookupDocuments,
  num,
  numOrNull,
  rowsOf,
  text,
  textOrNull,
} from "./explore-values.js";

/**
 * ListTables: the snapshot's base tables with row counts and typed columns, read from the
 * summaries the sync stored (three small values, no scan of the data).
 */
export async function listTables(db: SqlRunner): Promise<TableInfo[]> {
  return (await lookupDocuments(db, PROFILE_SUMMARIES_SQL, [], "summary")).map((t) => ({
    name: text(t.table_name),
    rowCount: num(t.n_rows),
    columnCount: num(t.n_columns),
    columns: rowsOf(t.columns).map((c) => ({
      name: text(c.name),
      ordinal: num(c.ordinal),
      dataType: text(c.data_type),
      semanticType: text(c.semantic_type) as SemanticType,
    })),
  }));
}

/** What GetTableProfile asks: a table, optionally some of its columns, and whether to add correlations. */
export interface TableProfileQuery {
  readonly table: string;
  /** Empty means every column. */
  readonly columns?: readonly string[];
  readonly includeCorrelations?: boolean;
}

async function knownTables(db: SqlRunner): Promise<string[]> {
  return (await lookupDocuments(db, PROFILE_SUMMARIES_SQL, [], "summary")).map((t) =>
    text(t.table_name),
  );
}

/**
 * GetTableProfile: the precomputed ydata-style profile of one base table: one stored JSON value
 * holding the rows of the profile tables, pre-joined, mapped here like the rows themselves.
 * The table and column names are checked against the profile tables (themselves built from
 * DuckDB's catalog) and only ever bound as values. With a column filter, alerts and correlations
 * are those involving at least one requested column, plus the table-level alerts.
 */
export async function getTableProfile(
  db: SqlRunner,
  query: TableProfileQuery,
): Promise<TableProfileResult> {
  const [tableRow] = await lookupDocuments(db, PROFILE_DOCUMENT_SQL, [query.table], "document");
  if (tableRow === undefined) {
    const known = await knownTables(db);
    throw new AppError(
      "not_found",
      `unknown table "${query.table}"; known tables: ${known.join(", ")}`,
      { field: "table" },
    );
  }
  const columnRows = rowsOf(tableRow.column_rows);
  const names = columnRows.map((r) => text(r.column_name));
  const wanted = query.columns ?? [];
  const unknown = wanted.filter((c) => !names.includes(c));
  if (unknown.length > 0) {
    throw new AppError("not_found", `unknown column(s) of ${query.table}: ${unknown.join(", ")}`, {
      field: "columns",
    });
  }
  const keep = (column: string | null) =>
    wanted.length === 0 || column === null || wanted.includes(column);
  const tops = groupBy(rowsOf(tableRow.top_rows), "column_name");
  const bins = groupBy(rowsOf(tableRow.bin_rows), "column_name");
  const columns = columnRows
    .filter((r) => keep(text(r.column_name)))
    .map((r) => {
      const name = text(r.column_name);
      return columnProfileFrom(r, tops.get(name) ?? [], bins.get(name) ?? []);
    });
  const correlationRows = query.includeCorrelations === true ? tableRow.correlation_rows : null;
  const correlations: Correlation[] = rowsOf(correlationRows)
    .map((r) => ({
      columnA: text(r.column_a),
      columnB: text(r.column_b),
      method: text(r.method) as Correlation["method"],
      coefficient: numOrNull(r.coefficient),
      n: num(r.n_pairs),
    }))
    .filter((c) => wanted.length === 0 || wanted.includes(c.columnA) || wanted.includes(c.columnB));
  const alerts: ProfileAlert[] = rowsOf(tableRow.alert_rows)
    .map((r) => {
      const detail = textOrNull(r.detail);
      return {
        type: text(r.alert_type),
        column: textOrNull(r.column_name),
        value: numOrNull(r.value),
        threshold: numOrNull(r.threshold),
        fields: detail === null ? [] : detail.split(","),
      };
    })
    .filter((a) => keep(a.column));
  return {
    table: tableStatsFrom(tableRow),
    columns,
    correlationStatus: text(tableRow.correlation_status) as CorrelationStatus,
    correlations,
    alerts,
  };
}

/** What GetDataQualityReport asks: some tables, or all when empty. */
export interface DataQualityQuery {
  readonly tables?: readonly string[];
}

/**
 * GetDataQualityReport: the precomputed expectation results, with samples, for the requested
 * tables (snapshot-level checks such as data_as_of freshness are always included).
 */
export async function getDataQualityReport(
  db: SqlRunner,
  query: DataQualityQuery = {},
): Promise<DataQualityReport> {
  return readDataQualityReport(db, query.tables ?? []);
}

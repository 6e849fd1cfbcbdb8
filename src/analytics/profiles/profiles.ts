import type { SqlParam, SqlRunner } from "../../snapshot/sql-runner.js";
import type { AnalyticsBuild } from "../analytics-build.js";
import { readBaseCatalog } from "./profiles-catalog.js";
import { type ProfileBuildOptions, resolveProfileOptions } from "./profiles-options.js";
import {
  alertRows,
  columnProfileRow,
  correlationRows,
  histogramRows,
  tableProfileRow,
  topValueRows,
} from "./profiles-rows.js";
import {
  ALERTS_TABLE,
  COLUMN_PROFILE_TABLE,
  CORRELATIONS_TABLE,
  createDerivedTables,
  type DerivedTable,
  HISTOGRAMS_TABLE,
  insertRows,
  PROFILE_DOCUMENTS_TABLE,
  PROFILE_TABLES,
  rowObject,
  TABLE_PROFILE_TABLE,
  TOP_VALUES_TABLE,
} from "./profiles-schema.js";
import { profileTable, type TableProfileRecord } from "./profiles-table.js";

export type { ProfileBuildOptions, ProfileOptions } from "./profiles-options.js";
export { DEFAULT_PROFILE_OPTIONS } from "./profiles-options.js";

function derived(name: string): DerivedTable {
  const table = PROFILE_TABLES.find((t) => t.name === name);
  if (table === undefined) throw new Error(`unknown derived table ${name}`);
  return table;
}

/** Inserts a table's rows into one derived table and returns them as objects for its document. */
async function write(db: SqlRunner, name: string, rows: SqlParam[][]) {
  const table = derived(name);
  await insertRows(db, table, rows);
  return rows.map((row) => rowObject(table, row));
}

async function writeTable(db: SqlRunner, record: TableProfileRecord): Promise<void> {
  const t = record.table;
  const [tableRow] = await write(db, TABLE_PROFILE_TABLE, [tableProfileRow(record)]);
  const document = {
    ...tableRow,
    column_rows: await write(
      db,
      COLUMN_PROFILE_TABLE,
      record.columns.map((c) => columnProfileRow(t, c)),
    ),
    top_rows: await write(
      db,
      TOP_VALUES_TABLE,
      record.columns.flatMap((c) => topValueRows(t, c)),
    ),
    bin_rows: await write(
      db,
      HISTOGRAMS_TABLE,
      record.columns.flatMap((c) => histogramRows(t, c)),
    ),
    correlation_rows: await write(db, CORRELATIONS_TABLE, correlationRows(record)),
    alert_rows: await write(db, ALERTS_TABLE, alertRows(record)),
  };
  const summary = {
    table_name: t,
    n_rows: record.rows,
    n_columns: record.columns.length,
    columns: record.columns.map((c) => ({
      name: c.column.name,
      ordinal: c.column.ordinal,
      data_type: c.column.dataType,
      semantic_type: c.semanticType,
    })),
  };
  await insertRows(db, derived(PROFILE_DOCUMENTS_TABLE), [
    [t, JSON.stringify(summary), JSON.stringify(document)],
  ]);
}

/**
 * Builds the EDA tables (`eda_table_profile`, `eda_column_profile`, `eda_top_values`,
 * `eda_histograms`, `eda_correlations`, `eda_alerts`, and `eda_profile_documents`, the same rows
 * pre-joined as JSON per table) for the three base tables while the snapshot is built, so
 * ListTables and GetTableProfile read one value each. Columns come from DuckDB's catalog, never
 * from a request; metrics follow ydata-profiling's definitions (see docs/analytics.md).
 */
export async function buildProfiles(
  db: SqlRunner,
  options: ProfileBuildOptions = {},
): Promise<void> {
  const opts = resolveProfileOptions(options);
  await createDerivedTables(db, PROFILE_TABLES);
  const catalog = await readBaseCatalog(db);
  for (const [table, columns] of catalog) {
    if (columns.length === 0) continue;
    await writeTable(db, await profileTable(db, table, columns, opts));
  }
}

/** The profile slice's one build step, reported by `eda_column_profile`. */
export const PROFILE_BUILDS: readonly AnalyticsBuild[] = [
  {
    slice: "profiles",
    tables: [
      COLUMN_PROFILE_TABLE,
      TABLE_PROFILE_TABLE,
      TOP_VALUES_TABLE,
      HISTOGRAMS_TABLE,
      CORRELATIONS_TABLE,
      ALERTS_TABLE,
      PROFILE_DOCUMENTS_TABLE,
    ],
    build: (db) => buildProfiles(db),
  },
];

import type { SqlRunner } from "../../snapshot/sql-runner.js";
import type { BaseTable } from "../../source/table-feed.js";
import {
  columnAlerts,
  correlationAlerts,
  type ProfileAlert,
  tableAlerts,
} from "./profiles-alerts.js";
import {
  type CatalogColumn,
  isNumericStorage,
  PRIMARY_KEYS,
  quoteIdent,
} from "./profiles-catalog.js";
import { type ColumnStats, columnStatsSql, readColumnStats } from "./profiles-column-stats.js";
import {
  type CorrelationColumn,
  type CorrelationResult,
  readCorrelations,
} from "./profiles-correlations.js";
import { type DuplicateStats, readDuplicates } from "./profiles-duplicates.js";
import { type HistogramBin, histogramBins } from "./profiles-histograms.js";
import { readUniqueKeyCounts } from "./profiles-key-counts.js";
import type { ProfileOptions } from "./profiles-options.js";
import { inferSemanticType, type SemanticType } from "./profiles-semantic-type.js";
import {
  imbalanceScore,
  NO_VALUE_COUNTS,
  readValueCounts,
  type ValueCount,
  type ValueCountStats,
} from "./profiles-value-counts.js";
import { onlyRow, ratio, toCount } from "./profiles-values.js";

/** Everything profiled about one column, before it is written to the derived tables. */
export interface ColumnProfileRecord {
  readonly column: CatalogColumn;
  readonly semanticType: SemanticType;
  readonly n: number;
  readonly nMissing: number;
  readonly nDistinct: number;
  readonly nUnique: number;
  readonly stats: ColumnStats;
  /** Values at the profile quantiles (numeric columns). */
  readonly quantiles: readonly (number | null)[] | null;
  /** Median absolute deviation (numeric columns). */
  readonly mad: number | null;
  readonly imbalance: number | null;
  readonly top: readonly ValueCount[];
  readonly histogram: readonly HistogramBin[];
}

/** Why a table has, or lacks, correlations. */
export type CorrelationStatus = "computed" | "disabled" | "not_applicable" | "skipped_column_cap";

/** Everything profiled about one table. */
export interface TableProfileRecord {
  readonly table: BaseTable;
  readonly rows: number;
  readonly columns: readonly ColumnProfileRecord[];
  readonly duplicates: DuplicateStats;
  readonly correlations: readonly CorrelationResult[];
  readonly correlationStatus: CorrelationStatus;
  readonly correlationColumns: number;
  readonly alerts: readonly ProfileAlert[];
}

async function countValues(
  db: SqlRunner,
  table: BaseTable,
  catalogColumns: readonly CatalogColumn[],
  opts: ProfileOptions,
): Promise<Map<CatalogColumn, ValueCountStats>> {
  const tableIdent = quoteIdent(table);
  const result = new Map<CatalogColumn, ValueCountStats>();
  const key = catalogColumns.find((c) => c.name === PRIMARY_KEYS[table] && c.storage === "string");
  if (key !== undefined) {
    const unique = await readUniqueKeyCounts(db, tableIdent, key, opts.topValues);
    if (unique !== null) result.set(key, unique);
  }
  const grouped = catalogColumns.filter((c) => c.storage !== "other" && !result.has(c));
  const counts = await readValueCounts(db, tableIdent, grouped, opts.topValues, opts.histogramBins);
  grouped.forEach((c, i) => {
    result.set(c, counts[i] ?? NO_VALUE_COUNTS);
  });
  return result;
}

function histogramOf(
  column: CatalogColumn,
  s: ColumnStats,
  vc: ValueCountStats,
  opts: ProfileOptions,
) {
  const numeric = isNumericStorage(column.storage);
  if (!numeric && column.storage !== "date") return [];
  const range = {
    min: (numeric ? s.numeric?.minNumber : s.date?.minEpoch) ?? null,
    max: (numeric ? s.numeric?.maxNumber : s.date?.maxEpoch) ?? null,
    count: s.count,
    nDistinct: vc.nDistinct,
  };
  return histogramBins(range, vc.binCounts, opts.histogramBins);
}

async function profileColumns(
  db: SqlRunner,
  table: BaseTable,
  catalogColumns: readonly CatalogColumn[],
  n: number,
  stats: readonly ColumnStats[],
  opts: ProfileOptions,
): Promise<ColumnProfileRecord[]> {
  const counts = await countValues(db, table, catalogColumns, opts);
  return catalogColumns.map((column, i) => {
    const s = stats[i] as ColumnStats;
    const vc = counts.get(column) ?? NO_VALUE_COUNTS;
    const semanticType = inferSemanticType(
      column.storage,
      vc.nDistinct,
      s.count,
      opts.typeInference,
    );
    const categorical = semanticType === "categorical" || semanticType === "boolean";
    return {
      column,
      semanticType,
      n,
      nMissing: n - s.count,
      nDistinct: vc.nDistinct,
      nUnique: vc.nUnique,
      stats: s,
      quantiles: vc.quantiles,
      mad: vc.mad,
      imbalance: categorical ? imbalanceScore(vc.entropy, vc.nDistinct) : null,
      top: vc.top,
      histogram: histogramOf(column, s, vc, opts),
    };
  });
}

function correlationColumns(
  columns: readonly ColumnProfileRecord[],
  opts: ProfileOptions,
): CorrelationColumn[] {
  const eligible: CorrelationColumn[] = [];
  for (const c of columns) {
    const min = c.stats.numeric?.minNumber ?? null;
    const max = c.stats.numeric?.maxNumber ?? null;
    if (c.semanticType === "numeric" && c.nDistinct > 1) {
      eligible.push({ column: c.column, role: "numeric", min, max });
    } else if (
      (c.semanticType === "categorical" || c.semanticType === "boolean") &&
      c.nDistinct > 1 &&
      c.nDistinct <= opts.correlations.maxCategoricalDistinct
    ) {
      eligible.push({ column: c.column, role: "categorical", min, max });
    }
  }
  return eligible;
}

function alertsFor(
  record: Omit<TableProfileRecord, "alerts">,
  opts: ProfileOptions,
): ProfileAlert[] {
  const t = opts.thresholds;
  const perColumn = record.columns.flatMap((c) => {
    const num = c.stats.numeric;
    return columnAlerts(
      {
        column: c.column.name,
        semanticType: c.semanticType,
        isString: c.column.storage === "string",
        n: c.n,
        nDistinct: c.nDistinct,
        pMissing: ratio(c.nMissing, c.n),
        pZeros: num === null ? null : ratio(num.zeros, c.n),
        pInfinite: num === null ? null : ratio(num.infinite, c.n),
        skewness: num?.skewness ?? null,
        imbalance: c.imbalance,
        minLength: c.stats.text?.minLength ?? null,
        maxLength: c.stats.text?.maxLength ?? null,
      },
      t,
    );
  });
  return [
    ...tableAlerts(record.rows, record.duplicates.groups, t),
    ...perColumn,
    ...correlationAlerts(record.correlations, t.correlation),
  ];
}

/**
 * Profiles one base table in a handful of scans: one aggregate over all columns (no sorts), one
 * statement grouping every column once (distinct, unique and top values, and from the weighted
 * distinct values the quantiles, mad and histograms), one sort proving the primary key unique,
 * the duplicate-row grouping (skipped when a column proves there are none) and the correlations.
 */
export async function profileTable(
  db: SqlRunner,
  table: BaseTable,
  catalogColumns: readonly CatalogColumn[],
  opts: ProfileOptions,
): Promise<TableProfileRecord> {
  const tableIdent = quoteIdent(table);
  const statsRow = onlyRow(
    await db.all(columnStatsSql(tableIdent, catalogColumns)),
    "column stats",
  );
  const rows = toCount(statsRow.n);
  const stats = readColumnStats(statsRow, catalogColumns);
  const columns = await profileColumns(db, table, catalogColumns, rows, stats, opts);
  const supported = columns.filter((c) => c.column.storage !== "other");
  const hasUniqueKey = supported.some((c) => c.nMissing === 0 && c.nDistinct === rows);
  const duplicates = await readDuplicates(
    db,
    tableIdent,
    supported.map((c) => c.column),
    rows,
    hasUniqueKey,
  );
  const eligible = correlationColumns(columns, opts);
  const cap = opts.correlations;
  let correlationStatus: CorrelationStatus = "computed";
  if (!cap.enabled) correlationStatus = "disabled";
  else if (eligible.length <= 1) correlationStatus = "not_applicable";
  else if (eligible.length > cap.maxColumns && !cap.includeBeyondCap)
    correlationStatus = "skipped_column_cap";
  const correlations =
    correlationStatus === "computed"
      ? await readCorrelations(db, tableIdent, eligible, cap.numericBins)
      : [];
  const record = {
    table,
    rows,
    columns,
    duplicates,
    correlations,
    correlationStatus,
    correlationColumns: eligible.length,
  };
  return { ...record, alerts: alertsFor(record, opts) };
}

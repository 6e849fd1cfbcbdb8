import type { SqlParam } from "../../snapshot/sql-runner.js";
import type { ColumnProfileRecord, TableProfileRecord } from "./profiles-table.js";
import { PROFILE_QUANTILES } from "./profiles-value-counts-sql.js";
import { ratio } from "./profiles-values.js";

type Row = SqlParam[];

const SECONDS_PER_DAY = 86_400;

/** The `eda_table_profile` row of a table (column order as in `profiles-schema.ts`). */
export function tableProfileRow(t: TableProfileRecord): Row {
  const nCols = t.columns.length;
  const missing = t.columns.reduce((sum, c) => sum + c.nMissing, 0);
  return [
    t.table,
    t.rows,
    nCols,
    missing,
    ratio(missing, t.rows * nCols),
    t.columns.filter((c) => c.nMissing > 0).length,
    t.columns.filter((c) => c.nMissing === c.n).length,
    t.duplicates.groups,
    ratio(t.duplicates.groups, t.rows),
    t.duplicates.surplusRows,
    t.correlationStatus,
    t.correlationColumns,
  ];
}

function valueRange(c: ColumnProfileRecord): number | null {
  const num = c.stats.numeric;
  if (num?.minNumber != null && num.maxNumber != null) return num.maxNumber - num.minNumber;
  const date = c.stats.date;
  if (date?.minEpoch != null && date.maxEpoch != null) {
    return (date.maxEpoch - date.minEpoch) / SECONDS_PER_DAY;
  }
  return null;
}

function numericCells(c: ColumnProfileRecord): Row {
  const num = c.stats.numeric;
  if (num === null) return Array<SqlParam>(23).fill(null);
  const q = (i: number) => c.quantiles?.[i] ?? null;
  const q25 = q(1);
  const q75 = q(3);
  return [
    num.min,
    num.max,
    num.sum,
    num.mean,
    num.std,
    num.variance,
    num.skewness,
    num.kurtosis,
    c.mad,
    valueRange(c),
    q25 !== null && q75 !== null ? q75 - q25 : null,
    num.mean && num.std !== null ? num.std / num.mean : null,
    ...PROFILE_QUANTILES.map((_, i) => q(i)),
    num.zeros,
    ratio(num.zeros, c.n),
    num.negatives,
    ratio(num.negatives, c.n),
    num.infinite,
    ratio(num.infinite, c.n),
  ];
}

function dateCells(c: ColumnProfileRecord): Row {
  const date = c.stats.date;
  const cells = Array<SqlParam>(23).fill(null);
  if (date === null) return cells;
  cells[0] = date.min;
  cells[1] = date.max;
  cells[9] = valueRange(c);
  return cells;
}

/** The `eda_column_profile` row of a column; ydata's ratios use n, nulls included. */
export function columnProfileRow(table: string, c: ColumnProfileRecord): Row {
  const count = c.stats.count;
  const text = c.stats.text;
  return [
    table,
    c.column.name,
    c.column.ordinal,
    c.column.dataType,
    c.semanticType,
    c.n,
    count,
    c.nMissing,
    ratio(c.nMissing, c.n),
    c.nDistinct,
    ratio(c.nDistinct, count),
    c.nUnique,
    ratio(c.nUnique, count),
    count > 0 && c.nUnique === count,
    ...(c.stats.numeric !== null ? numericCells(c) : dateCells(c)),
    text?.minLength ?? null,
    text?.meanLength ?? null,
    text?.medianLength ?? null,
    text?.maxLength ?? null,
    c.imbalance,
  ];
}

/** The `eda_top_values` rows of a column; frequency is a share of n, as ydata's table shows. */
export function topValueRows(table: string, c: ColumnProfileRecord): Row[] {
  return c.top.map((v, i) => [table, c.column.name, i + 1, v.value, v.count, ratio(v.count, c.n)]);
}

/** The `eda_histograms` rows of a column. */
export function histogramRows(table: string, c: ColumnProfileRecord): Row[] {
  return c.histogram.map((b) => [table, c.column.name, b.bin, b.lower, b.upper, b.count]);
}

/** The `eda_correlations` rows of a table. */
export function correlationRows(t: TableProfileRecord): Row[] {
  return t.correlations.map((c) => [t.table, c.columnA, c.columnB, c.method, c.coefficient, c.n]);
}

/** The `eda_alerts` rows of a table. */
export function alertRows(t: TableProfileRecord): Row[] {
  return t.alerts.map((a) => [t.table, a.column, a.type, a.value, a.threshold, a.detail]);
}

import type { JsonValue, SqlRow } from "../../snapshot/sql-runner.js";
import { type CatalogColumn, isNumericStorage } from "./profiles-catalog.js";
import { toCount, toFinite, toNumber, toText } from "./profiles-values.js";

/**
 * Moments and extremes of a numeric column, on values cast to DOUBLE (pandas uses float64).
 * Quantiles and mad come from the value counts instead, to avoid sorting every row.
 */
export interface NumericColumnStats {
  /** Exact text of the minimum, maximum and sum (DECIMAL stays exact). */
  readonly min: string | null;
  readonly max: string | null;
  readonly sum: string | null;
  /** Smallest and largest finite values as DOUBLE: the range histograms and bins span. */
  readonly minNumber: number | null;
  readonly maxNumber: number | null;
  readonly mean: number | null;
  readonly std: number | null;
  readonly variance: number | null;
  readonly skewness: number | null;
  readonly kurtosis: number | null;
  readonly zeros: number;
  readonly negatives: number;
  readonly infinite: number;
}

/** Date range of one column: ISO text and epoch seconds (for the histogram). */
export interface DateColumnStats {
  readonly min: string | null;
  readonly max: string | null;
  readonly minEpoch: number | null;
  readonly maxEpoch: number | null;
}

/** Length statistics of a string column, in Unicode code points (Python's `len`). */
export interface TextColumnStats {
  readonly minLength: number | null;
  readonly meanLength: number | null;
  readonly medianLength: number | null;
  readonly maxLength: number | null;
}

/** Everything the single aggregate pass yields for one column. */
export interface ColumnStats {
  readonly count: number;
  readonly numeric: NumericColumnStats | null;
  readonly date: DateColumnStats | null;
  readonly text: TextColumnStats | null;
}

function numericAggregates(c: CatalogColumn, p: string): string[] {
  const q = c.ident;
  const d = `CAST(${q} AS DOUBLE)`;
  // Doubles: extremes and moments over finite values. DuckDB's stddev_samp raises an error on
  // an infinity, which would abort the build; ydata bins only finite values anyway.
  const finite = c.storage === "float" ? ` FILTER (WHERE isfinite(${q}))` : "";
  const aggs = [
    `CAST(min(${q}) AS VARCHAR) AS ${p}min`,
    `CAST(max(${q}) AS VARCHAR) AS ${p}max`,
    `CAST(sum(${q}) AS VARCHAR) AS ${p}sum`,
    `min(${d})${finite} AS ${p}min_n`,
    `max(${d})${finite} AS ${p}max_n`,
    `avg(${d})${finite} AS ${p}mean`,
    `stddev_samp(${d})${finite} AS ${p}std`,
    `var_samp(${d})${finite} AS ${p}var`,
    `skewness(${d})${finite} AS ${p}skew`,
    `kurtosis(${d})${finite} AS ${p}kurt`,
    `count(*) FILTER (WHERE ${q} = 0) AS ${p}zeros`,
    `count(*) FILTER (WHERE ${q} < 0) AS ${p}neg`,
  ];
  if (c.storage === "float") aggs.push(`count(*) FILTER (WHERE isinf(${q})) AS ${p}inf`);
  return aggs;
}

function columnAggregates(c: CatalogColumn, index: number): string[] {
  const p = `c${index}_`;
  const q = c.ident;
  const aggs = [`count(${q}) AS ${p}count`];
  if (isNumericStorage(c.storage)) aggs.push(...numericAggregates(c, p));
  if (c.storage === "date") {
    aggs.push(
      `CAST(min(${q}) AS VARCHAR) AS ${p}min`,
      `CAST(max(${q}) AS VARCHAR) AS ${p}max`,
      `epoch(min(${q})) AS ${p}min_e`,
      `epoch(max(${q})) AS ${p}max_e`,
    );
  }
  if (c.storage === "string") {
    aggs.push(
      `min(length(${q})) AS ${p}len_min`,
      `avg(length(${q})) AS ${p}len_mean`,
      `histogram(length(${q})) AS ${p}len_hist`,
      `max(length(${q})) AS ${p}len_max`,
    );
  }
  return aggs;
}

/**
 * One SELECT computing every column's aggregate statistics in a single scan of the table, with no
 * holistic aggregate (no sort): the median length comes from `histogram(length(c))`, a small map.
 * Moments run on DOUBLE, as pandas does on float64.
 */
export function columnStatsSql(tableIdent: string, columns: readonly CatalogColumn[]): string {
  const aggs = columns.flatMap((c, i) => columnAggregates(c, i));
  return `SELECT count(*) AS n, ${aggs.join(", ")} FROM ${tableIdent}`;
}

/**
 * pandas' rules for degenerate moments: skew needs 3 values and kurtosis 4 (else NaN); with zero
 * variance both are 0. DuckDB gives NaN or NULL for a constant column, so it is fixed here.
 */
function pandasMoment(
  value: number | null,
  count: number,
  minCount: number,
  variance: number | null,
) {
  if (count < minCount) return null;
  if (variance === 0) return 0;
  return value;
}

function readNumeric(row: SqlRow, p: string, count: number): NumericColumnStats {
  const variance = toFinite(row[`${p}var`]);
  return {
    min: toText(row[`${p}min`]),
    max: toText(row[`${p}max`]),
    sum: count === 0 ? null : toText(row[`${p}sum`]),
    minNumber: toNumber(row[`${p}min_n`]),
    maxNumber: toNumber(row[`${p}max_n`]),
    mean: toFinite(row[`${p}mean`]),
    std: toFinite(row[`${p}std`]),
    variance,
    skewness: pandasMoment(toFinite(row[`${p}skew`]), count, 3, variance),
    kurtosis: pandasMoment(toFinite(row[`${p}kurt`]), count, 4, variance),
    zeros: toCount(row[`${p}zeros`]),
    negatives: toCount(row[`${p}neg`]),
    infinite: toCount(row[`${p}inf`]),
  };
}

/** Reads the row of {@link columnStatsSql} back into per-column statistics. */
export function readColumnStats(row: SqlRow, columns: readonly CatalogColumn[]): ColumnStats[] {
  return columns.map((c, i) => {
    const p = `c${i}_`;
    const count = toCount(row[`${p}count`]);
    return {
      count,
      numeric: isNumericStorage(c.storage) ? readNumeric(row, p, count) : null,
      date:
        c.storage === "date"
          ? {
              min: toText(row[`${p}min`]),
              max: toText(row[`${p}max`]),
              minEpoch: toFinite(row[`${p}min_e`]),
              maxEpoch: toFinite(row[`${p}max_e`]),
            }
          : null,
      text:
        c.storage === "string"
          ? {
              minLength: toFinite(row[`${p}len_min`]),
              meanLength: toFinite(row[`${p}len_mean`]),
              medianLength: weightedMedian(row[`${p}len_hist`]),
              maxLength: toFinite(row[`${p}len_max`]),
            }
          : null,
    };
  });
}

/**
 * The median (numpy's, interpolating between the middle two) of a distribution given as
 * DuckDB's `histogram()` map, `[{key, value}]` with value the count of key.
 */
export function weightedMedian(histogram: JsonValue | undefined): number | null {
  if (!Array.isArray(histogram)) return null;
  const entries = (histogram as { key?: JsonValue; value?: JsonValue }[])
    .map((e) => [toFinite(e.key) ?? 0, toCount(e.value)] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const at = (index: number): number => {
    let seen = 0;
    for (const [value, n] of entries) {
      seen += n;
      if (seen > index) return value;
    }
    return entries.at(-1)?.[0] ?? 0;
  };
  const pos = (total - 1) / 2;
  const lo = at(Math.floor(pos));
  return lo + (at(Math.ceil(pos)) - lo) * (pos - Math.floor(pos));
}

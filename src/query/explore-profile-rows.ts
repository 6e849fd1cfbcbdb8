import type { SqlRow } from "../snapshot/sql-runner.js";
import type {
  ColumnProfile,
  HistogramBin,
  SemanticType,
  TableStats,
  ValueFrequency,
} from "./explore-types.js";
import { num, numOrNull, text, textOrNull } from "./explore-values.js";

/** Maps an `eda_table_profile` row. */
export function tableStatsFrom(row: SqlRow): TableStats {
  return {
    name: text(row.table_name),
    nRows: num(row.n_rows),
    nColumns: num(row.n_columns),
    nCellsMissing: num(row.n_cells_missing),
    pCellsMissing: num(row.p_cells_missing),
    nVarsWithMissing: num(row.n_vars_with_missing),
    nVarsAllMissing: num(row.n_vars_all_missing),
    nDuplicates: num(row.n_duplicates),
    pDuplicates: num(row.p_duplicates),
    nDuplicateRows: num(row.n_duplicate_rows),
  };
}

const NUMERIC_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U\w*INT|FLOAT|DOUBLE|DECIMAL)/;

/** Labels a bin edge: dates as ISO (date only at midnight), numbers as written. */
function edgeLabel(value: number, isDate: boolean): string {
  if (!isDate) return String(value);
  const iso = new Date(value * 1000).toISOString();
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso;
}

function histogramFrom(rows: readonly SqlRow[], isDate: boolean): HistogramBin[] {
  return rows.map((r) => {
    const lower = num(r.lower);
    const upper = num(r.upper);
    return {
      lower,
      upper,
      count: num(r.count),
      lowerLabel: edgeLabel(lower, isDate),
      upperLabel: edgeLabel(upper, isDate),
    };
  });
}

function topValuesFrom(rows: readonly SqlRow[]): ValueFrequency[] {
  return rows.map((r) => ({
    value: text(r.value),
    count: num(r.count),
    frequency: num(r.frequency),
  }));
}

/** Maps an `eda_column_profile` row with its top values and histogram rows. */
export function columnProfileFrom(
  row: SqlRow,
  topRows: readonly SqlRow[],
  binRows: readonly SqlRow[],
): ColumnProfile {
  const dataType = text(row.data_type);
  const isNumeric = NUMERIC_TYPES.test(dataType);
  const isDate = dataType === "DATE" || dataType.startsWith("TIMESTAMP");
  const isText = dataType === "VARCHAR";
  return {
    name: text(row.column_name),
    ordinal: num(row.ordinal),
    dataType,
    semanticType: text(row.semantic_type) as SemanticType,
    n: num(row.n),
    count: num(row.count_non_null),
    nMissing: num(row.n_missing),
    pMissing: num(row.p_missing),
    nDistinct: num(row.n_distinct),
    pDistinct: num(row.p_distinct),
    nUnique: num(row.n_unique),
    pUnique: num(row.p_unique),
    isUnique: row.is_unique === true,
    imbalance: numOrNull(row.imbalance),
    numeric: isNumeric
      ? {
          min: textOrNull(row.min_value),
          max: textOrNull(row.max_value),
          sum: textOrNull(row.sum_value),
          mean: numOrNull(row.mean),
          std: numOrNull(row.std),
          variance: numOrNull(row.variance),
          skewness: numOrNull(row.skewness),
          kurtosis: numOrNull(row.kurtosis),
          mad: numOrNull(row.mad),
          range: numOrNull(row.value_range),
          iqr: numOrNull(row.iqr),
          cv: numOrNull(row.cv),
          quantiles: {
            p05: numOrNull(row.q05),
            p25: numOrNull(row.q25),
            p50: numOrNull(row.q50),
            p75: numOrNull(row.q75),
            p95: numOrNull(row.q95),
          },
          nZeros: num(row.n_zeros),
          pZeros: num(row.p_zeros),
          nNegative: num(row.n_negative),
          pNegative: num(row.p_negative),
          nInfinite: num(row.n_infinite),
          pInfinite: num(row.p_infinite),
        }
      : null,
    date: isDate
      ? {
          min: textOrNull(row.min_value),
          max: textOrNull(row.max_value),
          rangeDays: numOrNull(row.value_range),
        }
      : null,
    text: isText
      ? {
          minLength: numOrNull(row.min_length),
          meanLength: numOrNull(row.mean_length),
          medianLength: numOrNull(row.median_length),
          maxLength: numOrNull(row.max_length),
        }
      : null,
    topValues: topValuesFrom(topRows),
    histogram: histogramFrom(binRows, isDate),
  };
}

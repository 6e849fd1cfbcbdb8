import type { JsonValue, SqlParam, SqlRow, SqlRunner } from "../../snapshot/sql-runner.js";
import type { CatalogColumn } from "./profiles-catalog.js";
import { valueCountsSql } from "./profiles-value-counts-sql.js";
import { toCount, toFinite, toNumberList, toText } from "./profiles-values.js";

/** One entry of a column's frequency table. */
export interface ValueCount {
  readonly value: string;
  readonly count: number;
}

/** What the grouping of one column yields. */
export interface ValueCountStats {
  /** Distinct non-null values (exact, not HyperLogLog). */
  readonly nDistinct: number;
  /** Values occurring exactly once (ydata's n_unique), which is not n_distinct. */
  readonly nUnique: number;
  /** Shannon entropy (base 2) of the value frequencies, nulls excluded. */
  readonly entropy: number;
  /** The most frequent values, ties broken by value so every build agrees. */
  readonly top: readonly ValueCount[];
  /** Numeric columns: values at the profile quantiles (linear interpolation). */
  readonly quantiles: readonly (number | null)[] | null;
  /** Numeric columns: median absolute deviation. */
  readonly mad: number | null;
  /** Numeric and date columns: counts by bin index (bins with no values are absent). */
  readonly binCounts: ReadonlyMap<number, number>;
}

/** Stats of a column that is not grouped (an unsupported type). */
export const NO_VALUE_COUNTS: ValueCountStats = {
  nDistinct: 0,
  nUnique: 0,
  entropy: 0,
  top: [],
  quantiles: null,
  mad: null,
  binCounts: new Map(),
};

function entries(value: JsonValue | undefined): Record<string, JsonValue>[] {
  return Array.isArray(value) ? (value as Record<string, JsonValue>[]) : [];
}

function readRow(row: SqlRow): ValueCountStats {
  const total = toCount(row.total);
  const nLogN = toFinite(row.n_log_n) ?? 0;
  return {
    nDistinct: toCount(row.n_distinct),
    nUnique: toCount(row.n_unique),
    entropy: total > 0 ? Math.max(0, Math.log2(total) - nLogN / total) : 0,
    top: entries(row.top).map((e) => ({ value: toText(e.value) ?? "", count: toCount(e.count) })),
    quantiles: row.q === null || row.q === undefined ? null : toNumberList(row.q),
    mad: toFinite(row.mad),
    binCounts: new Map(entries(row.hist).map((e) => [toCount(e.bin), toCount(e.n)])),
  };
}

/**
 * Groups each given column of a table once, all in one statement, and returns the
 * {@link ValueCountStats} of each, in the columns' order.
 */
export async function readValueCounts(
  db: SqlRunner,
  tableIdent: string,
  columns: readonly CatalogColumn[],
  topValues: number,
  maxBins: number,
): Promise<ValueCountStats[]> {
  if (columns.length === 0) return [];
  const params: SqlParam[] = [];
  const sql = valueCountsSql(tableIdent, columns, topValues, maxBins, params);
  const byColumn = new Map((await db.all(sql, params)).map((r) => [toCount(r.col), r]));
  return columns.map((_, i) => {
    const row = byColumn.get(i);
    return row === undefined ? NO_VALUE_COUNTS : readRow(row);
  });
}

/**
 * ydata's `column_imbalance_score`: `1 - H/log2(k)` for k > 1 classes (0 when balanced, towards
 * 1 when one class dominates), and 0 for a single class.
 */
export function imbalanceScore(entropy: number, nClasses: number): number {
  return nClasses > 1 ? 1 - entropy / Math.log2(nClasses) : 0;
}

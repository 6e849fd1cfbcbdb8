/** One histogram bin; the last bin includes its upper edge, as in numpy. */
export interface HistogramBin {
  readonly bin: number;
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
}

/** numpy's bin edges: `linspace(min, max, k+1)` (the last edge exactly max). */
export function histogramEdges(min: number, max: number, k: number): number[] {
  const step = (max - min) / k;
  return Array.from({ length: k + 1 }, (_, i) => (i === k ? max : min + i * step));
}

/**
 * Lays out a column's histogram as ydata's `histogram_compute` does: `min(maxBins, n_distinct)`
 * bins between min and max, every bin present even when empty; a single value gets numpy's one
 * bin `[v - 0.5, v + 0.5]`. Counts by bin come from the value-count statement.
 */
export function histogramBins(
  range: { min: number | null; max: number | null; count: number; nDistinct: number },
  binCounts: ReadonlyMap<number, number>,
  maxBins: number,
): HistogramBin[] {
  const { min, max } = range;
  if (min === null || max === null || range.count === 0) return [];
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [{ bin: 0, lower: min - 0.5, upper: max + 0.5, count: range.count }];
  const k = Math.max(1, Math.min(maxBins, range.nDistinct));
  const edges = histogramEdges(min, max, k);
  return Array.from({ length: k }, (_, b) => ({
    bin: b,
    lower: edges[b] ?? min,
    upper: edges[b + 1] ?? max,
    count: binCounts.get(b) ?? 0,
  }));
}

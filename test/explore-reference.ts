/**
 * Independent reference computations for the EDA tests, written from the definitions in
 * docs/analytics.md (pandas, numpy, scipy and ydata-profiling source) in plain JS, never from
 * the service's SQL.
 */

/** Arithmetic mean. */
export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample variance, ddof = 1 (pandas `var()`). */
export function variance(xs: readonly number[]): number {
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
}

function centralSums(xs: readonly number[]) {
  const m = mean(xs);
  const d = xs.map((x) => x - m);
  return {
    m2: d.reduce((a, x) => a + x ** 2, 0),
    m3: d.reduce((a, x) => a + x ** 3, 0),
    m4: d.reduce((a, x) => a + x ** 4, 0),
  };
}

/** pandas `Series.skew()` (nanops.nanskew): adjusted Fisher-Pearson, 0 when m2 == 0. */
export function pandasSkew(xs: readonly number[]): number | null {
  const n = xs.length;
  if (n < 3) return null;
  const { m2, m3 } = centralSums(xs);
  if (m2 === 0) return 0;
  const mm2 = m2 / n;
  const mm3 = m3 / n;
  return ((n * (n - 1)) ** 0.5 / (n - 2)) * (mm3 / mm2 ** 1.5);
}

/** pandas `Series.kurt()` (nanops.nankurt): unbiased excess kurtosis, 0 when m2 == 0. */
export function pandasKurt(xs: readonly number[]): number | null {
  const n = xs.length;
  if (n < 4) return null;
  const { m2, m4 } = centralSums(xs);
  if (m2 === 0) return 0;
  const adj = (3 * (n - 1) ** 2) / ((n - 2) * (n - 3));
  const numerator = n * (n + 1) * (n - 1) * m4;
  const denominator = (n - 2) * (n - 3) * m2 ** 2;
  return numerator / denominator - adj;
}

/** pandas `quantile(q)` with the default linear interpolation. */
export function quantileLinear(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = s[lo] as number;
  const b = s[hi] as number;
  return a + (b - a) * (pos - lo);
}

/** numpy median (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  return quantileLinear(xs, 0.5);
}

/** ydata's mad: `np.median(np.abs(x - np.median(x)))`. */
export function mad(xs: readonly number[]): number {
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m)));
}

/** Counts of each value, nulls excluded. */
export function valueCounts<T>(xs: readonly (T | null)[]): Map<T, number> {
  const counts = new Map<T, number>();
  for (const x of xs) if (x !== null) counts.set(x, (counts.get(x) ?? 0) + 1);
  return counts;
}

/** ydata's `column_imbalance_score`: 1 - entropy(counts, base 2) / log2(k). */
export function imbalance(counts: readonly number[]): number {
  const k = counts.length;
  if (k <= 1) return 0;
  const total = counts.reduce((a, b) => a + b, 0);
  const h = -counts.reduce((a, c) => a + (c / total) * Math.log2(c / total), 0);
  return 1 - h / Math.log2(k);
}

/** `np.histogram(xs, bins=k)` counts: linspace edges, half-open bins, the last one closed. */
export function numpyHistogram(
  xs: readonly number[],
  k: number,
): { edges: number[]; counts: number[] } {
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  const step = (max - min) / k;
  const edges = Array.from({ length: k + 1 }, (_, i) => (i === k ? max : min + i * step));
  const counts = Array<number>(k).fill(0);
  for (const x of xs) {
    let i = edges.findIndex(
      (e, j) => j < k && x >= e && (x < (edges[j + 1] as number) || j === k - 1),
    );
    if (i < 0) i = k - 1;
    counts[i] = (counts[i] as number) + 1;
  }
  return { edges, counts };
}

/** `pd.cut(xs, bins=k, labels=False)`: right-closed equal-width bins, the first widened by 0.1%. */
export function pandasCut(xs: readonly (number | null)[], k: number): (number | null)[] {
  const present = xs.filter((x): x is number => x !== null);
  const min = Math.min(...present);
  const max = Math.max(...present);
  const step = (max - min) / k;
  const edges = Array.from({ length: k + 1 }, (_, i) => (i === k ? max : min + i * step));
  edges[0] = min - (max - min) * 0.001;
  return xs.map((x) => {
    if (x === null) return null;
    const i = edges.findIndex((e) => e >= x);
    return i - 1;
  });
}

/** Average ranks (ties share the mean of their positions), as scipy's rankdata. */
export function averageRanks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = Array<number>(xs.length).fill(0);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]?.[0] === order[i]?.[0]) j++;
    for (let t = i; t <= j; t++) ranks[order[t]?.[1] as number] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

/** Pearson's r. */
export function pearson(xs: readonly number[], ys: readonly number[]): number {
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    const y = ys[i] as number;
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

/** pandas `Series.corr(method="spearman")`: Pearson on average ranks of complete pairs. */
export function spearman(xs: readonly (number | null)[], ys: readonly (number | null)[]): number {
  const pairs = xs
    .map((x, i) => [x, ys[i] ?? null] as const)
    .filter(([x, y]) => x !== null && y !== null);
  return pearson(
    averageRanks(pairs.map((p) => p[0] as number)),
    averageRanks(pairs.map((p) => p[1] as number)),
  );
}

/**
 * ydata's `_cramers_corrected_stat(pd.crosstab(a, b), correction=True)`: scipy's
 * chi2_contingency (Yates' correction when dof == 1) and Bergsma's bias correction.
 */
export function cramersVReference(
  a: readonly (string | number | null)[],
  b: readonly (string | number | null)[],
): number {
  const rows: [string, string][] = [];
  a.forEach((x, i) => {
    const y = b[i] ?? null;
    if (x !== null && y !== null) rows.push([String(x), String(y)]);
  });
  const xs = [...new Set(rows.map((r) => r[0]))];
  const ys = [...new Set(rows.map((r) => r[1]))];
  const n = rows.length;
  const obs = xs.map((x) => ys.map((y) => rows.filter((r) => r[0] === x && r[1] === y).length));
  const rowSum = obs.map((r) => r.reduce((s, v) => s + v, 0));
  const colSum = ys.map((_, j) => obs.reduce((s, r) => s + (r[j] as number), 0));
  const r = xs.length;
  const k = ys.length;
  const dof = (r - 1) * (k - 1);
  let chi2 = 0;
  if (dof > 0) {
    for (const [i, row] of obs.entries()) {
      for (const [j, o] of row.entries()) {
        const e = ((rowSum[i] as number) * (colSum[j] as number)) / n;
        const adjusted = dof === 1 ? o + Math.sign(e - o) * Math.min(0.5, Math.abs(e - o)) : o;
        chi2 += (adjusted - e) ** 2 / e;
      }
    }
  }
  const phi2 = chi2 / n;
  const phi2corr = Math.max(0, phi2 - ((k - 1) * (r - 1)) / (n - 1));
  const rcorr = r - (r - 1) ** 2 / (n - 1);
  const kcorr = k - (k - 1) ** 2 / (n - 1);
  const denom = Math.min(kcorr - 1, rcorr - 1);
  return denom === 0 ? 1 : Math.sqrt(phi2corr / denom);
}

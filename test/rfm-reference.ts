import type { TestData } from "./analytics-fixture.js";

/*
 * RFM the way pandas computes it, in plain JS, following docs/analytics.md: recency as
 * `(ref - last).days`, frequency as distinct relationships, monetary as the exact sum, then
 * `pd.qcut(x, 5, labels=...)` with numpy's linear quantiles, F on `rank(method="first")` of the
 * frequency in customer-id order, and the seg_map regexes applied in order.
 */

/** numpy's `quantile(a, q)` with the default linear method, including its lerp. */
export function numpyQuantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  const t = position - lo;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** `pd.qcut(values, 5, labels=[1..5])` for one value: the first right-closed bin holding it. */
export function qcutLabel(sorted: readonly number[], x: number): number {
  const bins = [0, 0.2, 0.4, 0.6, 0.8, 1].map((q) => numpyQuantile(sorted, q));
  for (let i = 1; i < bins.length; i++) {
    if (x <= (bins[i] ?? Number.NaN)) return i;
  }
  return 5;
}

/** The standard seg_map (docs/analytics.md, References): RF regex -> segment, applied in order. */
export const SEG_MAP: readonly [RegExp, string][] = [
  [/^[1-2][1-2]$/, "hibernating"],
  [/^[1-2][3-4]$/, "at_risk"],
  [/^[1-2]5$/, "cant_lose"],
  [/^3[1-2]$/, "about_to_sleep"],
  [/^33$/, "need_attention"],
  [/^[3-4][4-5]$/, "loyal_customers"],
  [/^41$/, "promising"],
  [/^51$/, "new_customers"],
  [/^[4-5][2-3]$/, "potential_loyalists"],
  [/^5[4-5]$/, "champions"],
];

/** One customer's reference RFM. */
export interface ReferenceRfm {
  customerId: string;
  recency: number;
  frequency: number;
  monetaryCents: bigint;
  scored: boolean;
  r: number | null;
  f: number | null;
  m: number | null;
  segment: string | null;
}

function days(from: string, to: string): number {
  return Math.floor((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function cents(value: string | null): bigint {
  if (value === null) return 0n;
  const negative = value.startsWith("-");
  const [whole = "0", frac = ""] = value.replace("-", "").split(".");
  const c = BigInt(whole) * 100n + BigInt(frac.padEnd(2, "0").slice(0, 2));
  return negative ? -c : c;
}

/** Reference RFM for every customer with a relationship starting before `ref`. */
export function referenceRfm(data: TestData, ref: string): Map<string, ReferenceRfm> {
  const acc = new Map<
    string,
    { last: string; ids: Set<string>; cents: bigint; anyValue: boolean }
  >();
  for (const r of data.relationships) {
    if (r.start === null || r.start >= ref) continue;
    const a = acc.get(r.customer) ?? { last: r.start, ids: new Set(), cents: 0n, anyValue: false };
    if (r.start > a.last) a.last = r.start;
    a.ids.add(r.id);
    a.cents += cents(r.value);
    a.anyValue ||= r.value !== null;
    acc.set(r.customer, a);
  }
  const out = new Map<string, ReferenceRfm>();
  for (const [customerId, a] of acc) {
    out.set(customerId, {
      customerId,
      recency: days(a.last, ref),
      frequency: a.ids.size,
      monetaryCents: a.cents,
      scored: a.anyValue && a.cents > 0n,
      r: null,
      f: null,
      m: null,
      segment: null,
    });
  }
  const scored = [...out.values()].filter((x) => x.scored);
  const byFrequency = [...scored].sort(
    (p, q) => p.frequency - q.frequency || (p.customerId < q.customerId ? -1 : 1),
  );
  const fRank = new Map(byFrequency.map((x, i) => [x.customerId, i + 1]));
  const sortedR = scored.map((x) => x.recency).sort((p, q) => p - q);
  const sortedF = byFrequency.map((_, i) => i + 1);
  const sortedM = scored.map((x) => Number(x.monetaryCents) / 100).sort((p, q) => p - q);
  for (const x of scored) {
    x.r = 6 - qcutLabel(sortedR, x.recency);
    x.f = qcutLabel(sortedF, fRank.get(x.customerId) ?? 0);
    x.m = qcutLabel(sortedM, Number(x.monetaryCents) / 100);
    const rf = `${x.r}${x.f}`;
    x.segment = SEG_MAP.find(([pattern]) => pattern.test(rf))?.[1] ?? null;
  }
  return out;
}

/** Formats cents as the exact decimal string DuckDB returns for DECIMAL(38,2). */
export function formatCents(c: bigint): string {
  const negative = c < 0n;
  const abs = negative ? -c : c;
  return `${negative ? "-" : ""}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
}

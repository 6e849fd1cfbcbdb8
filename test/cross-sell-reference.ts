import type { TestData, TestRelationship } from "./analytics-fixture.js";

/*
 * Cross-sell computed the plain way, straight from the definitions in docs/analytics.md (mlxtend's formulas,
 * Amazon's cosine, "have X but not Y"), with no SQL: the independent answer the service's
 * tables and queries are checked against.
 */

/** Whether a relationship is active on day `ref` (docs/data_sources.md's definition). */
export function activeOn(r: TestRelationship, ref: string): boolean {
  return r.start !== null && r.start <= ref && (r.end === null || r.end >= ref);
}

/** Each customer's basket: the set of held products in the mode. */
export function baskets(
  data: TestData,
  mode: "active" | "all",
  ref: string,
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const r of data.relationships) {
    if (mode === "active" && !activeOn(r, ref)) continue;
    const set = out.get(r.customer) ?? new Set<string>();
    set.add(r.product);
    out.set(r.customer, set);
  }
  return out;
}

/** mlxtend's metrics for one rule A -> C, from counts. */
export interface ReferenceRule {
  antecedent: string;
  consequent: string;
  nA: number;
  nC: number;
  nAC: number;
  antecedentSupport: number;
  consequentSupport: number;
  support: number;
  confidence: number;
  lift: number;
  leverage: number;
  conviction: number;
  zhangsMetric: number;
  jaccard: number;
  certainty: number;
  kulczynski: number;
  cosine: number;
  opportunityCount: number;
}

/** The metrics of A -> C given n_A, n_C, n_AC and N, as docs/analytics.md states them. */
export function ruleMetrics(
  a: string,
  c: string,
  nA: number,
  nC: number,
  nAC: number,
  n: number,
): ReferenceRule {
  const sA = nA / n;
  const sC = nC / n;
  const sAC = nAC / n;
  const confidence = sAC / sA;
  const leverage = sAC - sA * sC;
  const zhangDenominator = Math.max(sAC * (1 - sA), sA * (sC - sAC));
  return {
    antecedent: a,
    consequent: c,
    nA,
    nC,
    nAC,
    antecedentSupport: sA,
    consequentSupport: sC,
    support: sAC,
    confidence,
    lift: confidence / sC,
    leverage,
    conviction: confidence === 1 ? Number.POSITIVE_INFINITY : (1 - sC) / (1 - confidence),
    zhangsMetric: zhangDenominator === 0 ? 0 : leverage / zhangDenominator,
    jaccard: sAC / (sA + sC - sAC),
    certainty: sC === 1 ? 0 : (confidence - sC) / (1 - sC),
    kulczynski: (sAC / sA + sAC / sC) / 2,
    cosine: nAC / Math.sqrt(nA * nC),
    opportunityCount: nA - nAC,
  };
}

/** Every rule with at least `minCount` customers holding both, and N. */
export function referenceRules(
  data: TestData,
  mode: "active" | "all",
  ref: string,
  minCount = 1,
): { rules: ReferenceRule[]; n: number; holders: Map<string, number> } {
  const b = baskets(data, mode, ref);
  const n = b.size;
  const holders = new Map<string, number>();
  const pairs = new Map<string, number>();
  for (const set of b.values()) {
    const items = [...set];
    for (const x of items) holders.set(x, (holders.get(x) ?? 0) + 1);
    for (const x of items) {
      for (const y of items) {
        if (x !== y) pairs.set(`${x}\u0000${y}`, (pairs.get(`${x}\u0000${y}`) ?? 0) + 1);
      }
    }
  }
  const rules: ReferenceRule[] = [];
  for (const [key, nAC] of pairs) {
    if (nAC < minCount) continue;
    const [a = "", c = ""] = key.split("\u0000");
    rules.push(ruleMetrics(a, c, holders.get(a) ?? 0, holders.get(c) ?? 0, nAC, n));
  }
  return { rules, n, holders };
}

/** A reference recommendation. */
export interface ReferenceRecommendation {
  productId: string;
  score: number;
  confidence: number;
  because: string[];
}

/**
 * "Have X but not Y" for one customer, per the definitions: candidates are unheld consequents of
 * rules from held antecedents (thresholds applied), scored by the best rule's confidence or lift
 * or by the sum of cosines, ties broken by n_Y then id; explanations are the held X ordered by
 * the metric, then n_X descending, then id.
 */
export function referenceRecommendations(
  rules: readonly ReferenceRule[],
  held: ReadonlySet<string>,
  options: {
    scoring: "confidence" | "lift" | "cosine_sum";
    minSupport: number;
    minConfidence: number;
    excluded?: ReadonlySet<string>;
    categoryOf?: (product: string) => string | null;
    limit: number;
  },
): ReferenceRecommendation[] {
  const metric = (r: ReferenceRule) =>
    options.scoring === "lift"
      ? r.lift
      : options.scoring === "cosine_sum"
        ? r.cosine
        : r.confidence;
  const byY = new Map<string, ReferenceRule[]>();
  for (const r of rules) {
    if (!held.has(r.antecedent) || held.has(r.consequent)) continue;
    if (r.support < options.minSupport || r.confidence < options.minConfidence) continue;
    const category = options.categoryOf?.(r.consequent) ?? null;
    if (category !== null && options.excluded?.has(category)) continue;
    byY.set(r.consequent, [...(byY.get(r.consequent) ?? []), r]);
  }
  const scored = [...byY.entries()].map(([y, list]) => {
    const sorted = [...list].sort(
      (p, q) => metric(q) - metric(p) || q.nA - p.nA || (p.antecedent < q.antecedent ? -1 : 1),
    );
    const score =
      options.scoring === "cosine_sum"
        ? list.reduce((s, r) => s + r.cosine, 0)
        : Math.max(...list.map(metric));
    return {
      productId: y,
      score,
      nY: list[0]?.nC ?? 0,
      confidence: sorted[0]?.confidence ?? 0,
      because: sorted.slice(0, 3).map((r) => r.antecedent),
    };
  });
  scored.sort((p, q) => q.score - p.score || q.nY - p.nY || (p.productId < q.productId ? -1 : 1));
  return scored.slice(0, options.limit).map(({ productId, score, confidence, because }) => ({
    productId,
    score,
    confidence,
    because,
  }));
}

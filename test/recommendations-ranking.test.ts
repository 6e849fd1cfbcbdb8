import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getRecommendations, type Recommendation } from "../src/query/cross-sell-queries.js";
import type { SqlRunner } from "../src/snapshot/sql-runner.js";
import {
  type AnalyticsFixture,
  buildAnalytics,
  dayAfterLastStart,
  generateData,
  LOW_FLOOR,
  openAnalyticsFixture,
} from "./analytics-fixture.js";
import {
  baskets,
  type ReferenceRecommendation,
  referenceRecommendations,
  referenceRules,
} from "./cross-sell-reference.js";

const DATA = generateData(7, 700, 30, 3);
const REF = dayAfterLastStart(DATA);
const CATEGORY = new Map(DATA.products.map((p) => [p.id, p.category]));

/** Compares rankings; where two scores tie within float noise the order between them is free. */
function expectSameRanking(got: Recommendation[], expected: ReferenceRecommendation[]): void {
  expect(got.map((g) => g.score).length).toBe(expected.length);
  got.forEach((g, i) => {
    const e = expected[i];
    expect(g.score).toBeCloseTo(e?.score ?? Number.NaN, 12);
    const tiedAround =
      Math.abs((expected[i - 1]?.score ?? Number.NaN) - (e?.score ?? 0)) < 1e-9 ||
      Math.abs((expected[i + 1]?.score ?? Number.NaN) - (e?.score ?? 0)) < 1e-9;
    if (!tiedAround) {
      expect(g.productId).toBe(e?.productId);
      expect(g.because).toEqual(e?.because);
      expect(g.confidence).toBeCloseTo(e?.confidence ?? Number.NaN, 14);
    }
  });
}

/** Every aggregate of the plans of the statements that build `recommendations`. */
async function recommendationAggregates(): Promise<string[]> {
  const fixture = await openAnalyticsFixture(DATA, LOW_FLOOR, false);
  const aggregates: string[] = [];
  const collect = (node: PlanNode): void => {
    aggregates.push(...[node.extra_info?.Aggregates ?? []].flat());
    for (const child of node.children ?? []) collect(child);
  };
  const explaining: SqlRunner = {
    all: (sql, params) => fixture.db.all(sql, params),
    async run(sql, params) {
      if (/^\s*CREATE\b[^(]*\brecommendation/i.test(sql)) {
        const [plan] = await fixture.db.all(`EXPLAIN (FORMAT json) ${sql}`, params);
        for (const node of JSON.parse(String(plan?.explain_value)) as PlanNode[]) collect(node);
      }
      await fixture.db.run(sql, params);
    },
  };
  try {
    await buildAnalytics(explaining, LOW_FLOOR);
  } finally {
    fixture.close();
  }
  return aggregates;
}

interface PlanNode {
  readonly children?: PlanNode[];
  readonly extra_info?: { readonly Aggregates?: string | string[] };
}

describe("recommendations", () => {
  let fx: AnalyticsFixture;
  const customers = DATA.customers.filter((_, i) => i % 12 === 0).map((c) => c.id);
  beforeAll(async () => {
    fx = await openAnalyticsFixture(DATA, LOW_FLOOR);
  });
  afterAll(() => fx.close());

  it("serves the default question from the precomputed top N, equal to the reference", async () => {
    const { rules } = referenceRules(DATA, "active", REF, 5);
    const held = baskets(DATA, "active", REF);
    for (const id of customers) {
      const got = await getRecommendations(fx.db, { customerId: id });
      expect(got.computedFrom).toBe("precomputed");
      const longer = await getRecommendations(fx.db, { customerId: id, limit: 20 });
      expect(longer.computedFrom).toBe("rules");
      expect(longer.recommendations.slice(0, 10)).toEqual(got.recommendations);
      const expected = referenceRecommendations(rules, held.get(id) ?? new Set(), {
        scoring: "confidence",
        minSupport: 0,
        minConfidence: 0,
        limit: 10,
      });
      expectSameRanking(got.recommendations, expected);
    }
  });

  it("ranks large baskets from the rules, with the answer precomputation would give", async () => {
    const capped = await openAnalyticsFixture(DATA, { ...LOW_FLOOR, recommendationsMaxHeld: 2 });
    try {
      const held = baskets(DATA, "active", REF);
      const large = customers.filter((id) => (held.get(id)?.size ?? 0) > 2);
      expect(large.length).toBeGreaterThan(0);
      for (const id of large) {
        const ranked = await getRecommendations(capped.db, { customerId: id });
        expect(ranked.computedFrom).toBe("rules");
        const precomputed = await getRecommendations(fx.db, { customerId: id });
        expect(precomputed.computedFrom).toBe("precomputed");
        expect(ranked.recommendations).toEqual(precomputed.recommendations);
      }
    } finally {
      capped.close();
    }
  });

  it("ranks by lift and by cosine sum, with exclusions and thresholds, like the reference", async () => {
    const { rules } = referenceRules(DATA, "all", REF, 5);
    const held = baskets(DATA, "all", REF);
    for (const scoring of ["lift", "cosine_sum", "confidence"] as const) {
      for (const id of customers.slice(0, 12)) {
        const got = await getRecommendations(fx.db, {
          customerId: id,
          limit: 25,
          scoring,
          basketMode: "all",
          minConfidence: 0.05,
          excludeCategories: ["cat1"],
        });
        expect(got.computedFrom).toBe("rules");
        const expected = referenceRecommendations(rules, held.get(id) ?? new Set(), {
          scoring,
          minSupport: 0,
          minConfidence: 0.05,
          excluded: new Set(["cat1"]),
          categoryOf: (p) => CATEGORY.get(p) ?? null,
          limit: 25,
        });
        expectSameRanking(got.recommendations, expected);
        expect(got.recommendations.every((r) => r.productCategory !== "cat1")).toBe(true);
      }
    }
  });

  it("computes a support below the floor exactly from the baskets", async () => {
    const { rules, n } = referenceRules(DATA, "active", REF, 1);
    const held = baskets(DATA, "active", REF);
    for (const id of customers.slice(0, 15)) {
      const got = await getRecommendations(fx.db, { customerId: id, limit: 40, minSupport: 2 / n });
      expect(got.computedFrom).toBe("baskets");
      const expected = referenceRecommendations(rules, held.get(id) ?? new Set(), {
        scoring: "confidence",
        minSupport: 2 / n,
        minConfidence: 0,
        limit: 40,
      });
      expectSameRanking(got.recommendations, expected);
    }
  });

  it("never recommends a held product and explains each with held products", async () => {
    const held = baskets(DATA, "active", REF);
    for (const id of customers.slice(0, 20)) {
      const got = await getRecommendations(fx.db, { customerId: id, limit: 100 });
      const mine = held.get(id) ?? new Set<string>();
      expect(got.heldProductCount).toBe(mine.size);
      for (const r of got.recommendations) {
        expect(mine.has(r.productId)).toBe(false);
        expect(r.because.length).toBeGreaterThan(0);
        expect(r.because.every((x) => mine.has(x))).toBe(true);
      }
    }
  });

  it("builds with operators that spill: no list or top-N aggregate states", async () => {
    // DuckDB keeps list, arg_max(x, key, n) and its own top-N rewrite of a filtered row_number()
    // (max(value, n)) in memory, which failed the build at a million customers; count, min and
    // max of a single value are what its hash aggregate can spill, with bit_or (the signatures'
    // words) and grouping alone (the UNION numbering the rules' products), both fixed-size.
    const aggregates = await recommendationAggregates();
    expect(aggregates.length).toBeGreaterThan(0);
    for (const aggregate of aggregates) {
      expect(aggregate).toMatch(
        /^(|count_star\(\)|(count|min|max)\(#\d+\)|bit_or\(#\d+\) FILTER .*)$/s,
      );
    }
  });

  it("answers unknown customers with not_found and bad limits with invalid_argument", async () => {
    await expect(getRecommendations(fx.db, { customerId: "nobody" })).rejects.toMatchObject({
      kind: "not_found",
      field: "customer_id",
    });
    await expect(
      getRecommendations(fx.db, { customerId: "C00000", limit: 101 }),
    ).rejects.toMatchObject({
      kind: "invalid_argument",
      field: "limit",
    });
  });
});

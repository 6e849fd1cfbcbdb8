import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AssociationRule } from "../src/query/association-rule-queries.js";
import { listAssociationRules } from "../src/query/cross-sell-queries.js";
import { type AnalyticsFixture, openAnalyticsFixture, type TestData } from "./analytics-fixture.js";
import { referenceRules } from "./cross-sell-reference.js";

/*
 * Hand-worked baskets. The last start is 2024-01-20, so the reference date is 2024-01-21.
 *   active baskets: c1 {A,B,C}  c2 {A,B}  c3 {A,B}  c4 {A,C}  c5 {B}  c7 {E}        N = 6
 *   all baskets add c3's ended D and c6 {D} (only an ended holding):                 N = 7
 * c2 holds A through two relationships (one basket item). E is held by one customer only, so a
 * floor of 2 prunes it, but c7 still counts in N (the basket-denominator trap: N = 5 would make
 * support(A->B) 0.6 instead of 0.5).
 */
const rel = (
  id: string,
  customer: string,
  product: string,
  start: string,
  end: string | null = null,
) => ({
  id,
  customer,
  product,
  start,
  end,
  value: "10.00",
});

const DATA: TestData = {
  customers: ["c1", "c2", "c3", "c4", "c5", "c6", "c7"].map((id) => ({
    id,
    type: "retail",
    region: "north",
  })),
  products: ["A", "B", "C", "D", "E"].map((id) => ({
    id,
    category: id === "C" ? "cards" : "loans",
  })),
  relationships: [
    rel("r1", "c1", "A", "2024-01-01"),
    rel("r2", "c1", "B", "2024-01-02"),
    rel("r3", "c1", "C", "2024-01-03"),
    rel("r4", "c2", "A", "2024-01-04"),
    rel("r5", "c2", "A", "2024-01-05"),
    rel("r6", "c2", "B", "2024-01-06"),
    rel("r7", "c3", "A", "2024-01-07"),
    rel("r8", "c3", "B", "2024-01-08"),
    rel("r9", "c3", "D", "2024-01-01", "2024-01-10"),
    rel("r10", "c4", "A", "2024-01-09"),
    rel("r11", "c4", "C", "2024-01-10"),
    rel("r12", "c5", "B", "2024-01-11"),
    rel("r13", "c6", "D", "2024-01-12", "2024-01-15"),
    rel("r14", "c7", "E", "2024-01-20"),
  ],
};

async function allRules(fx: AnalyticsFixture, args: Parameters<typeof listAssociationRules>[1]) {
  const rules: AssociationRule[] = [];
  let pageToken = "";
  do {
    const page = await listAssociationRules(fx.db, { ...args, pageSize: 2, pageToken });
    rules.push(...page.rules);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return rules;
}

const find = (rules: AssociationRule[], a: string, c: string) =>
  rules.find((r) => r.antecedent === a && r.consequent === c);

describe("association rule metrics on hand-worked baskets", () => {
  let everyPair: AnalyticsFixture;
  let floorTwo: AnalyticsFixture;
  beforeAll(async () => {
    everyPair = await openAnalyticsFixture(DATA, { rulesMinPairCount: 1 });
    floorTwo = await openAnalyticsFixture(DATA, { rulesMinPairCount: 2 });
  });
  afterAll(() => {
    everyPair.close();
    floorTwo.close();
  });

  it("computes every mlxtend metric of A -> B as worked by hand", async () => {
    const rule = find(await allRules(everyPair, {}), "A", "B");
    // n_A = 4, n_B = 4, n_AB = 3 (c1, c2, c3), N = 6.
    expect(rule?.antecedentSupport).toBeCloseTo(4 / 6, 15);
    expect(rule?.consequentSupport).toBeCloseTo(4 / 6, 15);
    expect(rule?.support).toBe(0.5); // 3/6, not 3/5: c7's pruned basket still counts
    expect(rule?.confidence).toBeCloseTo(0.75, 15);
    expect(rule?.lift).toBeCloseTo(1.125, 15); // 0.75 / (4/6)
    expect(rule?.leverage).toBeCloseTo(1 / 18, 15); // 0.5 - 16/36
    expect(rule?.conviction).toBeCloseTo(4 / 3, 14); // (1/3) / (1/4)
    expect(rule?.zhangsMetric).toBeCloseTo(1 / 3, 14); // (1/18) / max(1/6, 1/9)
    expect(rule?.jaccard).toBeCloseTo(0.6, 15); // 0.5 / (5/6)
    expect(rule?.certainty).toBeCloseTo(0.25, 14); // (0.75 - 2/3) / (1/3)
    expect(rule?.kulczynski).toBeCloseTo(0.75, 15);
    expect(rule?.cosine).toBeCloseTo(0.75, 15); // 3 / sqrt(16)
    expect(rule?.opportunityCount).toBe(1); // c4 holds A but not B
  });

  it("gives conviction +infinity exactly when confidence is 1 (C -> A)", async () => {
    const rule = find(await allRules(everyPair, {}), "C", "A");
    expect(rule?.confidence).toBe(1);
    expect(rule?.conviction).toBe(Number.POSITIVE_INFINITY);
    expect(rule?.lift).toBeCloseTo(1.5, 15);
    expect(rule?.zhangsMetric).toBeCloseTo(0.5, 14); // (1/9) / max(2/9, 1/9)
    expect(rule?.certainty).toBeCloseTo(1, 14);
    expect(rule?.opportunityCount).toBe(0);
    const byConviction = await listAssociationRules(everyPair.db, {
      orderBy: "conviction",
      pageSize: 1,
    });
    expect(byConviction.rules[0]?.conviction).toBe(Number.POSITIVE_INFINITY);
  });

  it("matches an independent computation for every rule in both basket modes", async () => {
    for (const mode of ["active", "all"] as const) {
      const expected = referenceRules(DATA, mode, "2024-01-21").rules;
      const got = await allRules(everyPair, { basketMode: mode });
      expect(got).toHaveLength(expected.length);
      for (const e of expected) {
        const g = find(got, e.antecedent, e.consequent);
        expect(g, `${mode} ${e.antecedent}->${e.consequent}`).toBeDefined();
        for (const key of [
          "support",
          "confidence",
          "lift",
          "leverage",
          "zhangsMetric",
          "jaccard",
          "certainty",
          "kulczynski",
          "cosine",
        ] as const) {
          expect(g?.[key]).toBeCloseTo(e[key], 12);
        }
        expect(g?.conviction).toBeCloseTo(e.conviction, 12);
        expect(g?.opportunityCount).toBe(e.opportunityCount);
      }
    }
  });

  it("counts N per basket mode: ended-only customers are baskets only in mode all", async () => {
    const active = await listAssociationRules(everyPair.db, {});
    const all = await listAssociationRules(everyPair.db, { basketMode: "all" });
    expect(active.basketCount).toBe(6);
    expect(all.basketCount).toBe(7);
    expect(find(await allRules(everyPair, {}), "A", "D")).toBeUndefined();
    expect(find(await allRules(everyPair, { basketMode: "all" }), "A", "D")?.support).toBeCloseTo(
      1 / 7,
      15,
    );
  });

  it("answers a support below the floor exactly from the baskets", async () => {
    const floored = await listAssociationRules(floorTwo.db, {});
    expect(floored.minSupportCount).toBe(2);
    expect(floored.computedFrom).toBe("rules");
    expect(find(floored.rules, "B", "C")).toBeUndefined(); // n_BC = 1 < 2
    const exact = await listAssociationRules(floorTwo.db, { minSupport: 1 / 6 });
    expect(exact.computedFrom).toBe("baskets");
    expect(find(exact.rules, "B", "C")?.confidence).toBeCloseTo(0.25, 15);
    const precomputed = await allRules(everyPair, {});
    const computed = await allRules(floorTwo, { minSupport: 0 });
    expect(computed).toEqual(precomputed);
  });

  it("filters by antecedent, consequent and thresholds and orders by the asked metric", async () => {
    const fromA = await allRules(everyPair, { antecedent: "A", orderBy: "lift" });
    expect(fromA.map((r) => r.consequent)).toEqual(["C", "B"]); // lift 1.5 then 1.125
    const toA = await allRules(everyPair, { consequent: "A", minConfidence: 0.8 });
    expect(toA.map((r) => r.antecedent)).toEqual(["C"]);
    const strong = await allRules(everyPair, { minLift: 1.2 });
    expect(strong.every((r) => r.lift >= 1.2)).toBe(true);
  });

  it("refuses a page token replayed with other filters", async () => {
    const page = await listAssociationRules(everyPair.db, { pageSize: 1 });
    await expect(
      listAssociationRules(everyPair.db, {
        pageSize: 1,
        pageToken: page.nextPageToken,
        orderBy: "lift",
      }),
    ).rejects.toMatchObject({ kind: "invalid_argument", field: "page_token" });
    await expect(listAssociationRules(everyPair.db, { minConfidence: 2 })).rejects.toMatchObject({
      kind: "invalid_argument",
      field: "min_confidence",
    });
  });
});

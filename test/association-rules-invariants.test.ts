import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AssociationRule } from "../src/query/association-rule-queries.js";
import { listAssociationRules } from "../src/query/cross-sell-queries.js";
import {
  type AnalyticsFixture,
  dayAfterLastStart,
  generateData,
  LOW_FLOOR,
  openAnalyticsFixture,
} from "./analytics-fixture.js";
import { referenceRules } from "./cross-sell-reference.js";

const DATA = generateData(42, 900, 40, 3);
const REF = dayAfterLastStart(DATA);

async function everyRule(
  fx: AnalyticsFixture,
  args: Parameters<typeof listAssociationRules>[1],
): Promise<AssociationRule[]> {
  const rules: AssociationRule[] = [];
  let pageToken = "";
  do {
    const page = await listAssociationRules(fx.db, { ...args, pageSize: 1000, pageToken });
    rules.push(...page.rules);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return rules;
}

describe("association rules on generated baskets", () => {
  let fx: AnalyticsFixture;
  beforeAll(async () => {
    fx = await openAnalyticsFixture(DATA, LOW_FLOOR);
  });
  afterAll(() => fx.close());

  it("holds confidence(X->Y) * support(X) = support(X u Y) and every metric in its range", async () => {
    for (const mode of ["active", "all"] as const) {
      const rules = await everyRule(fx, { basketMode: mode });
      expect(rules.length).toBeGreaterThan(50);
      for (const r of rules) {
        expect(r.confidence * r.antecedentSupport).toBeCloseTo(r.support, 14);
        for (const v of [
          r.support,
          r.confidence,
          r.jaccard,
          r.kulczynski,
          r.cosine,
          r.antecedentSupport,
        ]) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
        for (const v of [r.leverage, r.zhangsMetric, r.certainty]) {
          expect(v).toBeGreaterThanOrEqual(-1);
          expect(v).toBeLessThanOrEqual(1);
        }
        expect(r.lift).toBeGreaterThanOrEqual(0);
        expect(r.conviction).toBeGreaterThanOrEqual(0);
        expect(Number.isFinite(r.conviction)).toBe(r.confidence < 1);
        expect(r.opportunityCount).toBe(r.antecedentCount - r.bothCount);
        expect(r.bothCount).toBeGreaterThanOrEqual(5); // the default count floor
      }
    }
  });

  it("holds exactly the rules at or above the floor, with the reference's metrics", async () => {
    for (const mode of ["active", "all"] as const) {
      const got = await everyRule(fx, { basketMode: mode });
      const ref = referenceRules(DATA, mode, REF, 5);
      const byKey = new Map(got.map((r) => [`${r.antecedent}>${r.consequent}`, r]));
      expect(byKey.size).toBe(ref.rules.length);
      for (const e of ref.rules) {
        const g = byKey.get(`${e.antecedent}>${e.consequent}`);
        expect(g?.bothCount).toBe(e.nAC);
        expect(g?.lift).toBeCloseTo(e.lift, 12);
        expect(g?.zhangsMetric).toBeCloseTo(e.zhangsMetric, 12);
        expect(g?.certainty).toBeCloseTo(e.certainty, 12);
      }
    }
  });

  it("answers just below the floor exactly, and agrees with the table above it", async () => {
    const n = (await listAssociationRules(fx.db, {})).basketCount;
    const belowFloor = await listAssociationRules(fx.db, { minSupport: 4 / n, pageSize: 1 });
    expect(belowFloor.computedFrom).toBe("baskets");
    expect(belowFloor.totalSize).toBe(referenceRules(DATA, "active", REF, 4).rules.length);
    const atFloor = await listAssociationRules(fx.db, { minSupport: 5 / n, pageSize: 1 });
    expect(atFloor.computedFrom).toBe("rules");
    const computed = await everyRule(fx, { minSupport: 4.5 / n, orderBy: "jaccard" });
    const table = await everyRule(fx, { orderBy: "jaccard" });
    expect(computed).toEqual(table);
  });

  it("pages through every rule once, in order, whatever the page size", async () => {
    const whole = await everyRule(fx, { orderBy: "opportunity_count" });
    const paged: AssociationRule[] = [];
    let pageToken = "";
    do {
      const page = await listAssociationRules(fx.db, {
        orderBy: "opportunity_count",
        pageSize: 97,
        pageToken,
      });
      expect(page.totalSize).toBe(whole.length);
      paged.push(...page.rules);
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(paged).toEqual(whole);
    for (let i = 1; i < whole.length; i++) {
      expect(whole[i - 1]?.opportunityCount ?? 0).toBeGreaterThanOrEqual(
        whole[i]?.opportunityCount ?? 0,
      );
    }
  });
});

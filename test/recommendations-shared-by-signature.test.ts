import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildRecommendations,
  type RecommendationOptions,
} from "../src/analytics/cross-sell/recommendations.js";
import {
  type AnalyticsFixture,
  generateData,
  LOW_FLOOR,
  openAnalyticsFixture,
} from "./analytics-fixture.js";
import {
  REFERENCE_RECOMMENDATIONS,
  REFERENCE_TOP,
} from "./support/recommendations-reference-sql.js";

/*
 * Customers holding the same products of the rules share one ranked list. The shared lists
 * must give every customer exactly the rows of ranking each customer on their own (the build
 * before signatures, kept in test/support): EXCEPT ALL both ways, on a seeded data set with
 * 150 products, so the rules name more than 64 products and a signature takes several words,
 * with orphans and customers holding no product of any rule; under the default cap and a low
 * one; with shared signatures and with each customer on their own.
 */
let fixture: AnalyticsFixture;

beforeAll(async () => {
  fixture = await openAnalyticsFixture(generateData(20261207, 1500, 150, 4), LOW_FLOOR);
});
afterAll(() => fixture.close());

const DROP_BUILT = [
  "DROP VIEW recommendations",
  "DROP TABLE recommendation_lists",
  "DROP TABLE customer_recommendation_lists",
];

const DIFFERENCE = `SELECT
    (SELECT count(*) FROM (SELECT * FROM recommendations
                           EXCEPT ALL SELECT * FROM reference_recommendations))::INTEGER AS extra,
    (SELECT count(*) FROM (SELECT * FROM reference_recommendations
                           EXCEPT ALL SELECT * FROM recommendations))::INTEGER AS missing,
    (SELECT count(*) FROM recommendations)::INTEGER AS n,
    (SELECT count(*) FROM recommendation_lists)::INTEGER AS list_rows,
    (SELECT count(DISTINCT customer_id) FROM recommendations)::INTEGER AS customers,
    (SELECT count(*) FROM (SELECT DISTINCT antecedent FROM association_rules WHERE basket_mode = 'active'
      UNION SELECT consequent FROM association_rules WHERE basket_mode = 'active'))::INTEGER AS products`;

async function rebuiltAgainstReference(options: RecommendationOptions, maxHeld: number) {
  for (const statement of DROP_BUILT) await fixture.db.run(statement);
  await buildRecommendations(fixture.db, { ...options, maxHeld });
  await fixture.db.run(REFERENCE_TOP, [maxHeld, 10, 10]);
  await fixture.db.run(REFERENCE_RECOMMENDATIONS);
  const [row] = await fixture.db.all(DIFFERENCE);
  return {
    extra: Number(row?.extra),
    missing: Number(row?.missing),
    n: Number(row?.n),
    listRows: Number(row?.list_rows),
    customers: Number(row?.customers),
    products: Number(row?.products),
  };
}

describe("recommendations shared by signature", () => {
  for (const maxHeld of [150, 3]) {
    it(`give every customer the rows of ranking them on their own, with a cap of ${maxHeld}`, async () => {
      const shared = await rebuiltAgainstReference({}, maxHeld);
      expect(shared.products).toBeGreaterThan(64);
      expect(shared.n).toBeGreaterThan(1000);
      expect(shared).toMatchObject({ extra: 0, missing: 0 });
      // Customers share lists: fewer list rows than customers' rows.
      expect(shared.listRows).toBeLessThan(shared.n);
    });

    it(`give the same rows when each customer is their own signature, with a cap of ${maxHeld}`, async () => {
      const alone = await rebuiltAgainstReference({ signatureWords: 1 }, maxHeld);
      expect(alone).toMatchObject({ extra: 0, missing: 0 });
      // Past the word limit no list is shared: one list per customer.
      expect(alone.listRows).toBe(alone.n);
      expect(alone.customers).toBeGreaterThan(100);
    });
  }
});

import type { AnalyticsBuild } from "../analytics-build.js";
import { buildAssociationRules } from "./association-rules.js";
import { BASKET_BUILDS } from "./baskets.js";
import { buildRecommendations } from "./recommendations.js";

/**
 * The cross-sell slice's build steps in dependency order: the baskets, then the association
 * rules over them (which set each mode's support floor), then the precomputed recommendations
 * drawn from the rules.
 */
export const CROSS_SELL_BUILDS: readonly AnalyticsBuild[] = [
  ...BASKET_BUILDS,
  {
    slice: "cross-sell",
    tables: ["association_rules"],
    build: (db, { options }) =>
      buildAssociationRules(db, {
        minSupport: options.rulesMinSupport,
        minPairCount: options.rulesMinPairCount,
      }),
  },
  {
    slice: "cross-sell",
    tables: ["recommendations", "recommendation_lists", "customer_recommendation_lists"],
    build: (db, { options }) =>
      buildRecommendations(db, {
        topN: options.recommendationsTopN,
        maxHeld: options.recommendationsMaxHeld,
      }),
  },
];

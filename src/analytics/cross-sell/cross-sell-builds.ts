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
        ...(options.rulesMinSupport === undefined ? {} : { minSupport: options.rulesMinSupport }),
        ...(options.rulesMinPairCount === undefined
          ? {}
          : { minPairCount: options.rulesMinPairCount }),
      }),
  },
  {
    slice: "cross-sell",
    tables: ["recommendations"],
    build: (db, { options }) =>
      buildRecommendations(db, {
        ...(options.recommendationsTopN === undefined ? {} : { topN: options.recommendationsTopN }),
        ...(options.recommendationsMaxHeld === undefined
          ? {}
          : { maxHeld: options.recommendationsMaxHeld }),
      }),
  },
];

import type { BasketMode } from "../analytics/cross-sell/baskets.js";
import { BASKET_MODES } from "../analytics/cross-sell/baskets.js";
import {
  CUSTOMER_BASKET,
  PRECOMPUTED_RECOMMENDATIONS,
  RECOMMEND_FROM_BASKETS,
  RECOMMEND_FROM_RULES,
} from "../analytics/cross-sell/cross-sell-sql.js";
import { AppError } from "../app-error.js";
import type { SnapshotReader } from "../snapshot/snapshot-reader.js";
import type { SqlRow, SqlRunner } from "../snapshot/sql-runner.js";
import { readAnalyticsParams, supportServedByFloor } from "./analytics-params.js";
import { checkId, checkInteger, checkOneOf, checkRange } from "./arg-checks.js";
import { RECOMMENDATION_INDEX } from "./memory/recommendation-index.js";
import { cellNumber, cellText, cellTextList, jsonListParam } from "./row-values.js";

export { listAssociationRules } from "./association-rule-queries.js";

/** How candidates are ranked: best rule confidence (default), best lift, or Amazon's cosine sum. */
export type RecommendationScoring = "confidence" | "lift" | "cosine_sum";

/** The scorings GetRecommendations accepts; the allow-list of `scoring`. */
export const RECOMMENDATION_SCORINGS: readonly RecommendationScoring[] = [
  "confidence",
  "lift",
  "cosine_sum",
];

/** GetRecommendations' arguments; unset thresholds mean "no limit" (support: the floor). */
export interface RecommendationArgs {
  readonly customerId: string;
  /** 1..100; default 10. */
  readonly limit?: number | undefined;
  readonly minConfidence?: number;
  /** Undefined means the precomputed support floor; lower values are computed exactly. */
  readonly minSupport?: number | undefined;
  readonly excludeCategories?: readonly string[];
  readonly scoring?: RecommendationScoring | undefined;
  readonly basketMode?: BasketMode | undefined;
}

/** One recommended product and the rule behind it. */
export interface Recommendation {
  readonly productId: string;
  readonly productName: string | null;
  readonly productCategory: string | null;
  readonly score: number;
  readonly confidence: number;
  readonly lift: number;
  readonly support: number;
  readonly cosine: number;
  /** n_Y: customers holding the product (the tie-breaker). */
  readonly productHolders: number;
  /** Held products explaining it, strongest first (at most three). */
  readonly because: string[];
}

/** GetRecommendations' answer, with what it was computed from. */
export interface RecommendationsResult {
  readonly customerId: string;
  readonly basketMode: BasketMode;
  readonly scoring: RecommendationScoring;
  readonly heldProductCount: number;
  readonly basketCount: number;
  /** The smallest pair count a rule needed to count. */
  readonly minSupportCount: number;
  /** "precomputed" (a lookup), "rules" (from the precomputed rules) or "baskets" (exact, slow). */
  readonly computedFrom: "precomputed" | "rules" | "baskets";
  readonly recommendations: Recommendation[];
}

/** The default number of recommendations. */
export const DEFAULT_RECOMMENDATION_LIMIT = 10;

/**
 * Ranks the products a customer does not hold (in the chosen basket mode) by the chosen score,
 * each with the metrics of its explaining rule and up to three held products that explain it.
 * The default question is a lookup of the precomputed top N; other thresholds, scorings or
 * exclusions are ranked from the precomputed rules; a support below their floor is computed
 * exactly from the baskets. NOT_FOUND when the customer is unknown. On a snapshot, whether the
 * customer is known, what it holds and the precomputed lists come from the in-memory
 * {@link RECOMMENDATION_INDEX} once it is built; the other questions keep their SQL.
 */
export async function getRecommendations(
  db: SqlRunner | SnapshotReader,
  args: RecommendationArgs,
): Promise<RecommendationsResult> {
  const customerId = checkId(args.customerId, "customer_id");
  const limit = checkInteger(args.limit ?? DEFAULT_RECOMMENDATION_LIMIT, "limit", 1, 100);
  const minConfidence = checkRange(args.minConfidence ?? 0, "min_confidence", 0, 1);
  const minSupport =
    args.minSupport === undefined ? undefined : checkRange(args.minSupport, "min_support", 0, 1);
  const scoring = checkOneOf(args.scoring ?? "confidence", RECOMMENDATION_SCORINGS, "scoring");
  const mode = checkOneOf(args.basketMode ?? "active", BASKET_MODES, "basket_mode");
  const excluded = args.excludeCategories ?? [];
  const params = await readAnalyticsParams(db);
  const basket = params.baskets[mode];
  const memory = "memo" in db ? db.memo.built(RECOMMENDATION_INDEX) : undefined;
  let held: number | undefined;
  if (memory === undefined) {
    const [probe] = await db.all(CUSTOMER_BASKET, [customerId, customerId, mode, customerId]);
    held = probe?.known === true ? cellNumber(probe.held) : undefined;
  } else {
    held = memory.held(customerId, mode);
  }
  if (held === undefined) {
    throw new AppError("not_found", `no customer has id ${customerId}`, { field: "customer_id" });
  }
  const fromRules = minSupport === undefined || supportServedByFloor(minSupport, basket);
  const precomputed =
    fromRules &&
    minSupport === undefined &&
    mode === "active" &&
    scoring === "confidence" &&
    minConfidence === 0 &&
    excluded.length === 0 &&
    limit <= params.recommendationsTopN &&
    held <= params.recommendationsMaxHeld;
  let recommendations: Recommendation[];
  if (precomputed && memory !== undefined) {
    recommendations = memory.top(customerId, limit);
  } else if (precomputed) {
    const rows = await db.all(PRECOMPUTED_RECOMMENDATIONS, [customerId, limit]);
    recommendations = rows.map(toRecommendation);
  } else {
    const sql = fromRules ? RECOMMEND_FROM_RULES : RECOMMEND_FROM_BASKETS;
    const bound = [customerId, mode, minSupport ?? 0, minConfidence, jsonListParam(excluded)];
    const rows = await db.all(sql, [...bound, scoring, limit]);
    recommendations = rows.map(toRecommendation);
  }
  return {
    customerId,
    basketMode: mode,
    scoring,
    heldProductCount: held,
    basketCount: basket.n,
    minSupportCount: fromRules
      ? basket.minPairCount
      : Math.max(1, Math.ceil((minSupport ?? 0) * basket.n)),
    computedFrom: precomputed ? "precomputed" : fromRules ? "rules" : "baskets",
    recommendations,
  };
}

function toRecommendation(row: SqlRow): Recommendation {
  return {
    productId: cellText(row.product_id) ?? "",
    productName: cellText(row.product_name),
    productCategory: cellText(row.product_category),
    score: cellNumber(row.score),
    confidence: cellNumber(row.confidence),
    lift: cellNumber(row.lift),
    support: cellNumber(row.support),
    cosine: cellNumber(row.cosine),
    productHolders: cellNumber(row.product_holders),
    because: cellTextList(row.because),
  };
}

import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  type AssociationRuleSchema,
  BasketMode,
  type CrossSellService,
  type GetRecommendationsRequest,
  type RecommendationSchema,
  RecommendationScoring,
  RuleOrder,
} from "../../gen/customeranalytics/v1/cross_sell_pb.js";
import { RULE_ORDER_COLUMNS } from "../analytics/cross-sell/association-rule-sql.js";
import { BASKET_MODES } from "../analytics/cross-sell/baskets.js";
import type { AssociationRule, AssociationRuleArgs } from "../query/association-rule-queries.js";
import {
  getRecommendations,
  listAssociationRules,
  RECOMMENDATION_SCORINGS,
  type Recommendation,
  type RecommendationArgs,
} from "../query/cross-sell-queries.js";
import type { ReadRouter } from "../query/read-router.js";
import { enumArg, enumOf, enumWords, int64 } from "./message-values.js";
import { askerFor } from "./read-options.js";
import { snapshotQuestion } from "./snapshot-question.js";

const BASKET_WORDS = enumWords(BasketMode, BASKET_MODES);
const SCORINGS = enumWords(RecommendationScoring, RECOMMENDATION_SCORINGS);
const RULE_ORDERS = enumWords(RuleOrder, RULE_ORDER_COLUMNS);

/** Snapshot-only: the rules and precomputed lists exist only in the snapshot's derived tables. */
const getRecommendationsQuestion = snapshotQuestion(getRecommendations);

/** Snapshot-only, like {@link getRecommendationsQuestion}. */
const listAssociationRulesQuestion = snapshotQuestion(listAssociationRules, "ListAssociationRules");

/** CrossSellService: validated requests in, the router's answers mapped to messages out. */
export function crossSellService(router: ReadRouter): ServiceImpl<typeof CrossSellService> {
  const ask = askerFor(router);
  return {
    async getRecommendations(req) {
      const scoring = enumArg(SCORINGS, req.scoring, "scoring");
      const args: RecommendationArgs = {
        customerId: req.customerId,
        excludeCategories: req.excludeCategories,
        limit: req.limit === 0 ? undefined : req.limit,
        scoring,
        ...miningArgs(req),
      };
      const { value, meta } = await ask(getRecommendationsQuestion, args, req.readOptions);
      return {
        customerId: value.customerId,
        recommendations: value.recommendations.map(recommendation),
        basketMode: enumOf(BASKET_WORDS, value.basketMode, BasketMode.UNSPECIFIED),
        scoring: enumOf(SCORINGS, value.scoring, RecommendationScoring.UNSPECIFIED),
        heldProductCount: value.heldProductCount,
        basketCount: int64(value.basketCount),
        minSupportCount: int64(value.minSupportCount),
        meta,
      };
    },
    async listAssociationRules(req) {
      const orderBy = enumArg(RULE_ORDERS, req.orderBy, "order_by");
      const args: AssociationRuleArgs = {
        antecedent: req.antecedent,
        consequent: req.consequent,
        minLift: req.minLift,
        pageSize: req.pageSize,
        pageToken: req.pageToken,
        orderBy,
        ...miningArgs(req),
      };
      const { value, meta } = await ask(listAssociationRulesQuestion, args, req.readOptions);
      return {
        rules: value.rules.map(rule),
        nextPageToken: value.nextPageToken,
        totalSize: int64(value.totalSize),
        basketCount: int64(value.basketCount),
        minSupportCount: int64(value.minSupportCount),
        meta,
      };
    },
  };
}

/**
 * The mining parameters both RPCs take, read alike: the basket mode (checked, named in the
 * error as basket_mode) and the minimum support and confidence the rules must reach.
 */
function miningArgs(
  req: Pick<GetRecommendationsRequest, "basketMode" | "minSupport" | "minConfidence">,
) {
  return {
    minConfidence: req.minConfidence,
    minSupport: req.minSupport,
    basketMode: enumArg(BASKET_WORDS, req.basketMode, "basket_mode"),
  };
}

function recommendation(r: Recommendation): MessageInitShape<typeof RecommendationSchema> {
  return {
    productId: r.productId,
    productName: r.productName ?? "",
    productCategory: r.productCategory ?? "",
    score: r.score,
    confidence: r.confidence,
    lift: r.lift,
    support: r.support,
    cosine: r.cosine,
    becauseProductIds: r.because,
    productHolders: int64(r.productHolders),
  };
}

function rule(r: AssociationRule): MessageInitShape<typeof AssociationRuleSchema> {
  return {
    ...r,
    opportunityCount: int64(r.opportunityCount),
    antecedentCount: int64(r.antecedentCount),
    consequentCount: int64(r.consequentCount),
    bothCount: int64(r.bothCount),
  };
}

import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  type AssociationRuleSchema,
  BasketMode,
  type CrossSellService,
  type RecommendationSchema,
  RecommendationScoring,
  RuleOrder,
} from "../../gen/customeranalytics/v1/cross_sell_pb.js";
import type {
  AssociationRule,
  AssociationRuleArgs,
  AssociationRulesResult,
} from "../query/association-rule-queries.js";
import {
  getRecommendations,
  listAssociationRules,
  type Recommendation,
  type RecommendationArgs,
  type RecommendationsResult,
} from "../query/cross-sell-queries.js";
import type { Question, ReadRouter } from "../query/read-router.js";
import { enumArg, enumOf, int64 } from "./message-values.js";
import { readPolicy, resultMeta } from "./read-options.js";

type BasketWord = NonNullable<RecommendationArgs["basketMode"]>;
type ScoringWord = NonNullable<RecommendationArgs["scoring"]>;
type OrderWord = NonNullable<AssociationRuleArgs["orderBy"]>;

const BASKET_MODES: ReadonlyMap<BasketMode, BasketWord> = new Map([
  [BasketMode.ACTIVE, "active"],
  [BasketMode.ALL, "all"],
]);

const SCORINGS: ReadonlyMap<RecommendationScoring, ScoringWord> = new Map([
  [RecommendationScoring.CONFIDENCE, "confidence"],
  [RecommendationScoring.LIFT, "lift"],
  [RecommendationScoring.COSINE_SUM, "cosine_sum"],
]);

const RULE_ORDERS: ReadonlyMap<RuleOrder, OrderWord> = new Map([
  [RuleOrder.SUPPORT, "support"],
  [RuleOrder.CONFIDENCE, "confidence"],
  [RuleOrder.LIFT, "lift"],
  [RuleOrder.LEVERAGE, "leverage"],
  [RuleOrder.CONVICTION, "conviction"],
  [RuleOrder.ZHANGS_METRIC, "zhangs_metric"],
  [RuleOrder.JACCARD, "jaccard"],
  [RuleOrder.CERTAINTY, "certainty"],
  [RuleOrder.KULCZYNSKI, "kulczynski"],
  [RuleOrder.COSINE, "cosine"],
  [RuleOrder.OPPORTUNITY_COUNT, "opportunity_count"],
]);

/** Snapshot-only: the rules and precomputed lists exist only in the snapshot's derived tables. */
const getRecommendationsQuestion: Question<RecommendationArgs, RecommendationsResult> = {
  snapshot: getRecommendations,
};

/** Snapshot-only, like {@link getRecommendationsQuestion}. */
const listAssociationRulesQuestion: Question<AssociationRuleArgs, AssociationRulesResult> = {
  snapshot: listAssociationRules,
  remember: "ListAssociationRules",
};

/** CrossSellService: validated requests in, the router's answers mapped to messages out. */
export function crossSellService(router: ReadRouter): ServiceImpl<typeof CrossSellService> {
  return {
    async getRecommendations(req) {
      const scoring = enumArg(SCORINGS, req.scoring, "scoring");
      const basketMode = enumArg(BASKET_MODES, req.basketMode, "basket_mode");
      const args: RecommendationArgs = {
        customerId: req.customerId,
        minConfidence: req.minConfidence,
        excludeCategories: req.excludeCategories,
        ...(req.limit === 0 ? {} : { limit: req.limit }),
        ...(req.minSupport === undefined ? {} : { minSupport: req.minSupport }),
        ...(scoring === undefined ? {} : { scoring }),
        ...(basketMode === undefined ? {} : { basketMode }),
      };
      const { value, meta } = await router.ask(
        getRecommendationsQuestion,
        args,
        readPolicy(req.readOptions),
      );
      return {
        customerId: value.customerId,
        recommendations: value.recommendations.map(recommendation),
        basketMode: enumOf(BASKET_MODES, value.basketMode, BasketMode.UNSPECIFIED),
        scoring: enumOf(SCORINGS, value.scoring, RecommendationScoring.UNSPECIFIED),
        heldProductCount: value.heldProductCount,
        basketCount: int64(value.basketCount),
        minSupportCount: int64(value.minSupportCount),
        meta: resultMeta(meta),
      };
    },
    async listAssociationRules(req) {
      const orderBy = enumArg(RULE_ORDERS, req.orderBy, "order_by");
      const basketMode = enumArg(BASKET_MODES, req.basketMode, "basket_mode");
      const args: AssociationRuleArgs = {
        antecedent: req.antecedent,
        consequent: req.consequent,
        minConfidence: req.minConfidence,
        minLift: req.minLift,
        pageSize: req.pageSize,
        pageToken: req.pageToken,
        ...(req.minSupport === undefined ? {} : { minSupport: req.minSupport }),
        ...(orderBy === undefined ? {} : { orderBy }),
        ...(basketMode === undefined ? {} : { basketMode }),
      };
      const { value, meta } = await router.ask(
        listAssociationRulesQuestion,
        args,
        readPolicy(req.readOptions),
      );
      return {
        rules: value.rules.map(rule),
        nextPageToken: value.nextPageToken,
        totalSize: int64(value.totalSize),
        basketCount: int64(value.basketCount),
        minSupportCount: int64(value.minSupportCount),
        meta: resultMeta(meta),
      };
    },
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

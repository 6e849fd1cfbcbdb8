import {
  COMPUTED_RULES_PAGE,
  COUNT_PRECOMPUTED_RULES,
  PRECOMPUTED_RULES_PAGE,
  RULE_ORDER_COLUMNS,
  type RuleOrderColumn,
} from "../analytics/cross-sell/association-rule-sql.js";
import { BASKET_MODES, type BasketMode } from "../analytics/cross-sell/baskets.js";
import { AppError } from "../app-error.js";
import type { SqlRow, SqlRunner } from "../snapshot/sql-runner.js";
import { readAnalyticsParams, supportServedByFloor } from "./analytics-params.js";
import { checkInteger, checkOneOf, checkRange } from "./arg-checks.js";
import { decodePageToken, effectivePageSize, encodePageToken, pageScope } from "./page-token.js";
import { cellNumber, cellText } from "./row-values.js";

/** ListAssociationRules' arguments; unset filters mean "any". */
export interface AssociationRuleArgs {
  readonly antecedent?: string;
  readonly consequent?: string;
  /** Undefined means the precomputed support floor; lower values are computed exactly. */
  readonly minSupport?: number | undefined;
  readonly minConfidence?: number;
  readonly minLift?: number;
  /** Highest first; default confidence. */
  readonly orderBy?: RuleOrderColumn | undefined;
  readonly basketMode?: BasketMode | undefined;
  /** 0..1000; 0 or unset means 50. */
  readonly pageSize?: number;
  readonly pageToken?: string;
}

/** A single-item rule with mlxtend's metrics, cosine and the opportunity count. */
export interface AssociationRule {
  readonly antecedent: string;
  readonly consequent: string;
  readonly antecedentCount: number;
  readonly consequentCount: number;
  readonly bothCount: number;
  readonly antecedentSupport: number;
  readonly consequentSupport: number;
  readonly support: number;
  readonly confidence: number;
  readonly lift: number;
  readonly leverage: number;
  /** Infinity when confidence is 1. */
  readonly conviction: number;
  readonly zhangsMetric: number;
  readonly jaccard: number;
  readonly certainty: number;
  readonly kulczynski: number;
  readonly cosine: number;
  /** Customers holding the antecedent but not the consequent. */
  readonly opportunityCount: number;
}

/** One page of rules. */
export interface AssociationRulesResult {
  readonly rules: AssociationRule[];
  readonly nextPageToken: string;
  readonly totalSize: number;
  readonly basketCount: number;
  readonly minSupportCount: number;
  readonly computedFrom: "rules" | "baskets";
}

const RPC = "ListAssociationRules";

/**
 * Pages through the single-item rules matching the filters, ordered by one metric (highest
 * first, then antecedent and consequent). Answers from the precomputed rules when the support
 * threshold is at or above their floor, else computes the rules exactly from the baskets. Page
 * tokens carry the offset and are bound to the filters and order.
 */
export async function listAssociationRules(
  db: SqlRunner,
  args: AssociationRuleArgs,
): Promise<AssociationRulesResult> {
  const antecedent = args.antecedent ?? "";
  const consequent = args.consequent ?? "";
  const minSupport =
    args.minSupport === undefined ? undefined : checkRange(args.minSupport, "min_support", 0, 1);
  const minConfidence = checkRange(args.minConfidence ?? 0, "min_confidence", 0, 1);
  const minLift = checkRange(args.minLift ?? 0, "min_lift", 0, Number.MAX_VALUE);
  const order = checkOneOf(args.orderBy ?? "confidence", RULE_ORDER_COLUMNS, "order_by");
  const mode = checkOneOf(args.basketMode ?? "active", BASKET_MODES, "basket_mode");
  const pageSize = effectivePageSize(checkInteger(args.pageSize ?? 0, "page_size", 0, 1000));
  const scope = pageScope(RPC, [
    mode,
    antecedent,
    consequent,
    minSupport ?? null,
    minConfidence,
    minLift,
    order,
  ]);
  const offset = decodeOffset(args.pageToken ?? "", scope);
  const basket = (await readAnalyticsParams(db)).baskets[mode];
  const fromRules = minSupport === undefined || supportServedByFloor(minSupport, basket);
  const filters = fromRules
    ? [
        mode,
        antecedent,
        antecedent,
        consequent,
        consequent,
        minSupport ?? 0,
        minConfidence,
        minLift,
      ]
    : [mode, antecedent, consequent, minSupport ?? 0, minConfidence, minLift];
  const page = fromRules ? PRECOMPUTED_RULES_PAGE[order] : COMPUTED_RULES_PAGE[order];
  const rows = await db.all(page, [...filters, pageSize, offset]);
  let totalSize: number;
  if (fromRules) {
    const [counted] = await db.all(COUNT_PRECOMPUTED_RULES, filters);
    totalSize = cellNumber(counted?.n);
  } else if (rows.length > 0) {
    totalSize = cellNumber(rows[0]?.total_size);
  } else {
    const [first] = await db.all(page, [...filters, 1, 0]);
    totalSize = first === undefined ? 0 : cellNumber(first.total_size);
  }
  const next = offset + rows.length;
  return {
    rules: rows.map(toRule),
    nextPageToken: next < totalSize ? encodePageToken(scope, [String(next)]) : "",
    totalSize,
    basketCount: basket.n,
    minSupportCount: fromRules
      ? basket.minPairCount
      : Math.max(1, Math.ceil((minSupport ?? 0) * basket.n)),
    computedFrom: fromRules ? "rules" : "baskets",
  };
}

function decodeOffset(token: string, scope: string): number {
  const key = decodePageToken(token, scope, 1);
  if (key === undefined) return 0;
  const offset = Number(key[0]);
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new AppError("invalid_argument", "page_token is not valid", { field: "page_token" });
  }
  return offset;
}

function toRule(row: SqlRow): AssociationRule {
  return {
    antecedent: cellText(row.antecedent) ?? "",
    consequent: cellText(row.consequent) ?? "",
    antecedentCount: cellNumber(row.antecedent_count),
    consequentCount: cellNumber(row.consequent_count),
    bothCount: cellNumber(row.both_count),
    antecedentSupport: cellNumber(row.antecedent_support),
    consequentSupport: cellNumber(row.consequent_support),
    support: cellNumber(row.support),
    confidence: cellNumber(row.confidence),
    lift: cellNumber(row.lift),
    leverage: cellNumber(row.leverage),
    conviction: cellNumber(row.conviction),
    zhangsMetric: cellNumber(row.zhangs_metric),
    jaccard: cellNumber(row.jaccard),
    certainty: cellNumber(row.certainty),
    kulczynski: cellNumber(row.kulczynski),
    cosine: cellNumber(row.cosine),
    opportunityCount: cellNumber(row.opportunity_count),
  };
}

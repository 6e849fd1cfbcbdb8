import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { ResultMetaSchema } from "../../gen/customeranalytics/v1/common_pb.js";
import {
  type CustomerValueSchema,
  type GetValueModelResponseSchema,
  TimeUnit,
  type ValueModelArgs,
  ValueRanking,
  type ValueService,
} from "../../gen/customeranalytics/v1/value_pb.js";
import type { TimeUnit as TimeUnitWord } from "../analytics/value/value-args.js";
import type { RankingName } from "../analytics/value/value-list-sql.js";
import type { ReadRouter } from "../query/read-router.js";
import {
  type CustomerValueResult,
  getCustomerValue,
  getValueModel,
  listCustomersByValue,
  type ValueModelAnswer,
} from "../query/value-queries.js";
import type { ValueRequestArgs } from "../query/value-request.js";
import { enumArg, enumOf, int64 } from "./message-values.js";
import { askerFor } from "./read-options.js";
import { snapshotQuestion } from "./snapshot-question.js";

const TIME_UNITS: ReadonlyMap<TimeUnit, TimeUnitWord> = new Map([
  [TimeUnit.DAY, "day"],
  [TimeUnit.WEEK, "week"],
]);

const RANKINGS: ReadonlyMap<ValueRanking, RankingName> = new Map([
  [ValueRanking.CLV, "clv"],
  [ValueRanking.AT_RISK, "at_risk"],
]);

/**
 * Snapshot-only: the models are derived from the snapshot. Model answers are remembered per
 * snapshot (a fit for new arguments is made once); customer lookups and pages are not, their
 * arguments being too many to be worth keeping.
 */
const valueModelQuestion = snapshotQuestion(getValueModel, "GetValueModel");

/** Snapshot-only, like {@link valueModelQuestion}. */
const customerValueQuestion = snapshotQuestion(getCustomerValue);

/** Snapshot-only, like {@link valueModelQuestion}. */
const valueListQuestion = snapshotQuestion(listCustomersByValue);

/** ValueService: validated requests in, the router's answers mapped to messages out. */
export function valueService(router: ReadRouter): ServiceImpl<typeof ValueService> {
  const ask = askerFor(router);
  return {
    async getValueModel(req) {
      const { value, meta } = await ask(
        valueModelQuestion,
        { ...modelArgs(req.args), holdoutEnd: req.holdoutEnd },
        req.readOptions,
      );
      return modelMessage(value, meta);
    },
    async getCustomerValue(req) {
      const { value, meta } = await ask(
        customerValueQuestion,
        { customerId: req.customerId, request: modelArgs(req.args) },
        req.readOptions,
      );
      return {
        value: customerValue(value.value),
        calibrationEnd: value.model.args.calibrationEnd,
        timeUnit: enumOf(TIME_UNITS, value.model.args.timeUnit, TimeUnit.UNSPECIFIED),
        meta,
      };
    },
    async listCustomersByValue(req) {
      const ranking = enumArg(RANKINGS, req.ranking, "ranking");
      const { value, meta } = await ask(
        valueListQuestion,
        {
          ...(ranking === undefined ? {} : { ranking }),
          regions: req.regions,
          customerTypes: req.customerTypes,
          ...(req.maxProbabilityAlive === undefined
            ? {}
            : { maxProbabilityAlive: req.maxProbabilityAlive }),
          minRepeatPurchases: Number(req.minRepeatPurchases),
          pageSize: req.pageSize,
          pageToken: req.pageToken,
        },
        req.readOptions,
      );
      return {
        customers: value.customers.map(customerValue),
        nextPageToken: value.nextPageToken,
        calibrationEnd: value.calibrationEnd,
        unrankedReason: value.unrankedReason,
        meta,
      };
    },
  };
}

/** The request's model arguments in the query layer's words; absent means defaults. */
function modelArgs(args: ValueModelArgs | undefined): ValueRequestArgs {
  if (args === undefined) return {};
  const timeUnit = enumArg(TIME_UNITS, args.timeUnit, "args.time_unit");
  return {
    calibrationEnd: args.calibrationEnd,
    horizonMonths: args.horizonMonths,
    ...(timeUnit === undefined ? {} : { timeUnit }),
    ...(args.monthlyDiscount === undefined ? {} : { monthlyDiscount: args.monthlyDiscount }),
  };
}

function modelMessage(
  { model, precomputed, clvDeciles }: ValueModelAnswer,
  meta: MessageInitShape<typeof ResultMetaSchema>,
): MessageInitShape<typeof GetValueModelResponseSchema> {
  const { bgnbd: bg, gammaGamma: gg, args } = model;
  return {
    calibrationEnd: args.calibrationEnd,
    timeUnit: enumOf(TIME_UNITS, args.timeUnit, TimeUnit.UNSPECIFIED),
    horizonMonths: args.horizonMonths,
    monthlyDiscount: args.monthlyDiscount,
    bgnbd: {
      ...bg.params,
      logLikelihood: bg.logLikelihood,
      converged: bg.converged,
      reason: bg.reason,
      customerCount: int64(bg.customers),
    },
    gammaGamma: {
      ...gg.params,
      logLikelihood: gg.logLikelihood,
      converged: gg.converged,
      reason: gg.reason,
      customerCount: int64(gg.customers),
    },
    customerCount: int64(model.customers),
    repeatBuyerCount: int64(model.repeatBuyers),
    spendLeftOutCount: int64(model.spendLeftOut),
    precomputed,
    holdout: (model.holdout ?? []).map((b) => ({
      label: b.label,
      customerCount: int64(b.customers),
      actualMean: b.actualMean,
      expectedMean: b.expectedMean,
    })),
    holdoutEnd: args.holdoutEnd,
    meta,
    clvDeciles: clvDeciles.map((d) => ({
      decile: d.decile,
      customerCount: int64(d.customers),
      minClv: d.minClv,
      maxClv: d.maxClv,
      totalClv: d.totalClv,
    })),
  };
}

/** Money predictions as two-place decimal strings (empty when missing) and doubles. */
function money(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : "";
}

function customerValue(v: CustomerValueResult): MessageInitShape<typeof CustomerValueSchema> {
  const [e30, e90, e365] = v.expectedPurchases;
  return {
    customerId: v.customerId,
    firstPurchaseDate: v.firstPurchase,
    lastPurchaseDate: v.lastPurchase,
    x: int64(v.x),
    tX: v.tx,
    t: v.T,
    meanRepeatValue: v.zbar,
    probabilityAlive: v.probabilityAlive,
    expectedPurchases30d: e30,
    expectedPurchases90d: e90,
    expectedPurchases365d: e365,
    expectedSpend: money(v.expectedSpend),
    expectedSpendNumber: v.expectedSpend,
    clv: money(v.clv),
    clvNumber: v.clv,
    valueAtRisk: money(v.valueAtRisk),
    valueAtRiskNumber: v.valueAtRisk,
  };
}

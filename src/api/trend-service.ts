import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  TrendGranularity,
  TrendGroupBy,
  TrendMetric,
  type TrendSeriesSchema,
  type TrendService,
  type TrendValueSchema,
} from "../../gen/customeranalytics/v1/trend_pb.js";
import { AppError } from "../app-error.js";
import type { Question, ReadRouter } from "../query/read-router.js";
import {
  getTrends,
  type TrendArgs,
  type TrendResult,
  type TrendSeries,
} from "../query/trend-queries.js";
import type { TrendValue } from "../query/trend-values.js";
import { enumArg, enumOf, optional } from "./message-values.js";
import { readPolicy, resultMeta } from "./read-options.js";

type MetricWord = NonNullable<TrendArgs["metrics"]>[number];
type GranularityWord = NonNullable<TrendArgs["granularity"]>;
type GroupByWord = NonNullable<TrendArgs["groupBy"]>;

const METRICS: ReadonlyMap<TrendMetric, MetricWord> = new Map([
  [TrendMetric.REVENUE, "revenue"],
  [TrendMetric.ACTIVE_CUSTOMERS, "active_customers"],
  [TrendMetric.NEW_CUSTOMERS, "new_customers"],
  [TrendMetric.NEW_RELATIONSHIPS, "new_relationships"],
  [TrendMetric.ENDED_RELATIONSHIPS, "ended_relationships"],
  [TrendMetric.RELATIONSHIP_CHURN_RATE, "relationship_churn_rate"],
]);

const GRANULARITIES: ReadonlyMap<TrendGranularity, GranularityWord> = new Map([
  [TrendGranularity.DAY, "day"],
  [TrendGranularity.WEEK, "week"],
  [TrendGranularity.MONTH, "month"],
  [TrendGranularity.QUARTER, "quarter"],
]);

const GROUP_BYS: ReadonlyMap<TrendGroupBy, GroupByWord> = new Map([
  [TrendGroupBy.NONE, "none"],
  [TrendGroupBy.REGION, "region"],
  [TrendGroupBy.PRODUCT_CATEGORY, "product_category"],
  [TrendGroupBy.CUSTOMER_TYPE, "customer_type"],
]);

/** Snapshot-only: served from the snapshot's roll-up, or computed from its relationships. */
const trendsQuestion: Question<TrendArgs, TrendResult> = {
  snapshot: getTrends,
  remember: "GetTrends",
};

/** TrendService: validated requests in, the router's answers mapped to messages out. */
export function trendService(router: ReadRouter): ServiceImpl<typeof TrendService> {
  return {
    async getTrends(req) {
      const metrics = req.metrics.map(metricWord);
      const granularity = enumArg(GRANULARITIES, req.granularity, "granularity");
      const groupBy = enumArg(GROUP_BYS, req.groupBy, "group_by");
      const args: TrendArgs = {
        metrics,
        fromDate: req.fromDate,
        toDate: req.toDate,
        regions: req.regions,
        customerTypes: req.customerTypes,
        productCategories: req.productCategories,
        ...(granularity === undefined ? {} : { granularity }),
        ...(groupBy === undefined ? {} : { groupBy }),
      };
      const { value, meta } = await router.ask(trendsQuestion, args, readPolicy(req.readOptions));
      return {
        granularity: enumOf(GRANULARITIES, value.granularity, TrendGranularity.UNSPECIFIED),
        groupBy: enumOf(GROUP_BYS, value.groupBy, TrendGroupBy.UNSPECIFIED),
        series: value.series.map((s) => series(s, value.groupBy !== "none")),
        meta: resultMeta(meta),
      };
    },
  };
}

/** A requested metric; UNSPECIFIED is not a metric (the proto rejects it in the list too). */
function metricWord(metric: TrendMetric): MetricWord {
  const word = METRICS.get(metric);
  if (word === undefined) {
    throw new AppError("invalid_argument", `metrics: ${metric} is not a trend metric`, {
      field: "metrics",
    });
  }
  return word;
}

function series(s: TrendSeries, grouped: boolean): MessageInitShape<typeof TrendSeriesSchema> {
  return {
    groupKey: s.groupKey ?? "",
    groupKeyMissing: grouped && s.groupKey === null,
    points: s.points.map((p) => ({
      periodStart: p.periodStart,
      periodEnd: p.periodEnd,
      values: p.values.map(trendValue),
    })),
  };
}

function trendValue(v: TrendValue): MessageInitShape<typeof TrendValueSchema> {
  return {
    metric: enumOf(METRICS, v.metric, TrendMetric.UNSPECIFIED),
    value: optional(v.value),
    exactValue: v.exactValue ?? "",
    previousValue: optional(v.previousValue),
    change: optional(v.change),
    exactChange: v.exactChange ?? "",
    changePercent: optional(v.changePercent),
  };
}

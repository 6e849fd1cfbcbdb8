import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  type GetTrendsRequest,
  GetTrendsResponseSchema,
  TrendGranularity,
  TrendGroupBy,
  TrendMetric,
  type TrendSeriesSchema,
  type TrendService,
  type TrendValueSchema,
} from "../../gen/customeranalytics/v1/trend_pb.js";
import { TREND_GRANULARITIES } from "../analytics/trends/trend-rollup-sql.js";
import { TREND_GROUP_BYS } from "../analytics/trends/trend-series-sql.js";
import { AppError } from "../app-error.js";
import type { ReadRouter } from "../query/read-router.js";
import {
  getTrends,
  TREND_METRICS,
  type TrendArgs,
  type TrendSeries,
} from "../query/trend-queries.js";
import type { TrendValue } from "../query/trend-values.js";
import { canonicalFilters } from "./canonical-filters.js";
import { encodedReadHandler } from "./encoded-read-handler.js";
import { enumArg, enumOf, enumWords, optional } from "./message-values.js";
import { snapshotQuestion } from "./snapshot-question.js";

type MetricWord = NonNullable<TrendArgs["metrics"]>[number];

const METRICS = enumWords(TrendMetric, TREND_METRICS);
const GRANULARITIES = enumWords(TrendGranularity, TREND_GRANULARITIES);
const GROUP_BYS = enumWords(TrendGroupBy, TREND_GROUP_BYS);

/** Snapshot-only: served from the snapshot's roll-up, or computed from its relationships. */
const trendsQuestion = snapshotQuestion(
  getTrends,
  "GetTrends",
  canonicalFilters(["regions", "customerTypes", "productCategories"]),
);

/** TrendService: validated requests in, the router's answers mapped to messages out. */
export function trendService(router: ReadRouter): ServiceImpl<typeof TrendService> {
  return {
    /**
     * A trend answer is big (a value per period and series) and the same for everyone: encoded
     * once.
     */
    getTrends: encodedReadHandler(
      router,
      GetTrendsResponseSchema,
      trendsQuestion,
      (req: GetTrendsRequest): TrendArgs => ({
        metrics: req.metrics.map(metricWord),
        fromDate: req.fromDate,
        toDate: req.toDate,
        regions: req.regions,
        customerTypes: req.customerTypes,
        productCategories: req.productCategories,
        granularity: enumArg(GRANULARITIES, req.granularity, "granularity"),
        groupBy: enumArg(GROUP_BYS, req.groupBy, "group_by"),
      }),
      (value) => ({
        granularity: enumOf(GRANULARITIES, value.granularity, TrendGranularity.UNSPECIFIED),
        groupBy: enumOf(GROUP_BYS, value.groupBy, TrendGroupBy.UNSPECIFIED),
        series: value.series.map((s) => series(s, value.groupBy !== "none")),
      }),
    ),
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
      partial: p.partial,
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

import {
  TREND_GRANULARITIES,
  type TrendGranularity,
} from "../analytics/trends/trend-rollup-sql.js";
import {
  COMPUTED_SERIES,
  ROLLUP_SERIES,
  TREND_BOUNDS,
  TREND_GROUP_BYS,
  type TrendGroupBy,
} from "../analytics/trends/trend-series-sql.js";
import { AppError } from "../app-error.js";
import type { SqlRow, SqlRunner } from "../snapshot/sql-runner.js";
import { readAnalyticsParams } from "./analytics-params.js";
import { checkOneOf } from "./arg-checks.js";
import { requestDate, requireOrdered } from "./dates.js";
import { cellNumber, cellText, jsonListParam } from "./row-values.js";
import { type TrendValue, trendValue, withoutChange } from "./trend-values.js";

/** The six trend metrics, in the proto's order. */
export const TREND_METRICS = [
  "revenue",
  "active_customers",
  "new_customers",
  "new_relationships",
  "ended_relationships",
  "relationship_churn_rate",
] as const;

/** One of {@link TREND_METRICS}. */
export type TrendMetric = (typeof TREND_METRICS)[number];

/** GetTrends' arguments; empty lists mean all metrics / no filter. */
export interface TrendArgs {
  readonly metrics?: readonly TrendMetric[];
  /** Default month. */
  readonly granularity?: TrendGranularity | undefined;
  /** YYYY-MM-DD; default the first start_date. */
  readonly fromDate?: string;
  /** YYYY-MM-DD; default the snapshot's reference date. */
  readonly toDate?: string;
  /** Default none. */
  readonly groupBy?: TrendGroupBy | undefined;
  readonly regions?: readonly string[];
  readonly customerTypes?: readonly string[];
  readonly productCategories?: readonly string[];
}

/** One period of a series. */
export interface TrendPoint {
  readonly periodStart: string;
  readonly periodEnd: string;
  /** One per requested metric, in request order. */
  readonly values: TrendValue[];
  /**
   * The period ends on or after the reference date, so the data ends inside it: its values
   * cover part of it and carry no change against the period before.
   */
  readonly partial: boolean;
}

/** One group's series; `groupKey` null when ungrouped or the value is missing. */
export interface TrendSeries {
  readonly groupKey: string | null;
  readonly points: TrendPoint[];
}

/** GetTrends' answer. */
export interface TrendResult {
  readonly granularity: TrendGranularity;
  readonly groupBy: TrendGroupBy;
  readonly series: TrendSeries[];
  readonly computedFrom: "rollup" | "computed";
}

/** The most periods one request may span (ten years of days). */
export const MAX_TREND_PERIODS = 3660;

/**
 * Reports the requested metrics per period, one series per group, each value with its change
 * against the previous period (the period before the range is read too, so the first change is
 * real). Served by summing `trend_rollup` unless the range passes the snapshot's reference date
 * or several categories filter a distinct-customer metric outside a category grouping (distinct
 * counts do not add across categories); then computed from the relationships with the same SQL
 * the roll-up was built with.
 */
export async function getTrends(db: SqlRunner, args: TrendArgs): Promise<TrendResult> {
  const metrics =
    args.metrics === undefined || args.metrics.length === 0 ? TREND_METRICS : args.metrics;
  for (const m of metrics) checkOneOf(m, TREND_METRICS, "metrics");
  const granularity = checkOneOf(args.granularity ?? "month", TREND_GRANULARITIES, "granularity");
  const groupBy = checkOneOf(args.groupBy ?? "none", TREND_GROUP_BYS, "group_by");
  const params = await readAnalyticsParams(db);
  const from = requestDate(args.fromDate ?? "", "from_date", params.firstStartDate);
  const to = requestDate(args.toDate ?? "", "to_date", params.referenceDate);
  requireOrdered(from, to, "from_date", "to_date");
  const [bounds] = await db.all(TREND_BOUNDS[granularity], [from, to, params.referenceDate]);
  const periods = cellNumber(bounds?.periods);
  if (periods > MAX_TREND_PERIODS) {
    throw new AppError(
      "invalid_argument",
      `from_date to to_date spans ${periods} periods; at most ${MAX_TREND_PERIODS} may be asked for`,
      { field: "from_date" },
    );
  }
  const firstB = cellText(bounds?.first_b) ?? from;
  const lastB = cellText(bounds?.last_b) ?? to;
  const categories = args.productCategories ?? [];
  const distinctAsked = metrics.includes("active_customers") || metrics.includes("new_customers");
  const served =
    lastB <= (cellText(bounds?.cal_end) ?? "") &&
    !(categories.length > 1 && groupBy !== "product_category" && distinctAsked);
  const lists = [
    jsonListParam(args.regions),
    jsonListParam(args.customerTypes),
    jsonListParam(categories),
  ];
  let rows: SqlRow[];
  if (served) {
    const isTotal = groupBy !== "product_category" && categories.length === 0;
    rows = await db.all(ROLLUP_SERIES[granularity][groupBy], [firstB, lastB, ...lists, isTotal]);
  } else {
    const rollup = [...lists, cellText(bounds?.prev_b) ?? firstB, lastB];
    const isTotal = groupBy !== "product_category";
    rows = await db.all(COMPUTED_SERIES[granularity][groupBy], [
      ...rollup,
      firstB,
      lastB,
      ...lists,
      isTotal,
    ]);
  }
  return {
    granularity,
    groupBy,
    series: toSeries(rows, metrics, params.referenceDate),
    computedFrom: served ? "rollup" : "computed",
  };
}

function toSeries(
  rows: readonly SqlRow[],
  metrics: readonly TrendMetric[],
  referenceDate: string,
): TrendSeries[] {
  const series: TrendSeries[] = [];
  let current: TrendSeries | undefined;
  let currentKey: string | null | undefined;
  for (const row of rows) {
    const key = cellText(row.group_key);
    if (current === undefined || key !== currentKey) {
      current = { groupKey: key, points: [] };
      currentKey = key;
      series.push(current);
    }
    const periodEnd = cellText(row.period_end) ?? "";
    const partial = periodEnd >= referenceDate;
    const values = metrics.map((m) => trendValue(m, row));
    current.points.push({
      periodStart: cellText(row.bucket) ?? "",
      periodEnd,
      values: partial ? values.map(withoutChange) : values,
      partial,
    });
  }
  return series;
}

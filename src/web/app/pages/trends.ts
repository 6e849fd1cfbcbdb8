import {
  type GetTrendsResponse,
  TrendGranularity,
  TrendGroupBy,
  TrendMetric,
} from "../../../../gen/customeranalytics/v1/trend_pb.js";
import { barChart } from "../charts/bar-chart.js";
import { lineChart } from "../charts/line-chart.js";
import { api } from "../client.js";
import { h } from "../dom.js";
import { downloadControl } from "../download.js";
import { money, share, short } from "../format.js";
import { card, fill, metaLine, segmented, showGridPage, tile } from "../ui.js";

type Granularity = "day" | "week" | "month" | "quarter";
type Grouping = "none" | "region" | "category" | "type";
type Kind = "line" | "bar";

const METRICS: readonly (readonly [TrendMetric, string, (v: number) => string])[] = [
  [TrendMetric.REVENUE, "Revenue", short],
  [TrendMetric.ACTIVE_CUSTOMERS, "Active customers", short],
  [TrendMetric.NEW_CUSTOMERS, "New customers", short],
  [TrendMetric.NEW_RELATIONSHIPS, "New relationships", short],
  [TrendMetric.ENDED_RELATIONSHIPS, "Ended relationships", short],
  [TrendMetric.RELATIONSHIP_CHURN_RATE, "Churn rate", share],
];

const GRANULARITY: Readonly<Record<Granularity, TrendGranularity>> = {
  day: TrendGranularity.DAY,
  week: TrendGranularity.WEEK,
  month: TrendGranularity.MONTH,
  quarter: TrendGranularity.QUARTER,
};

const GROUPING: Readonly<Record<Grouping, TrendGroupBy>> = {
  none: TrendGroupBy.NONE,
  region: TrendGroupBy.REGION,
  category: TrendGroupBy.PRODUCT_CATEGORY,
  type: TrendGroupBy.CUSTOMER_TYPE,
};

/**
 * The Trends page: one metric over time as a line or bar chart, by day, week, month or quarter,
 * for everything or split by region, product category or customer type; the latest period
 * with its change; a download of the roll-up at the chosen granularity.
 */
export function trendsPage(root: HTMLElement): void {
  const state = {
    metric: TrendMetric.REVENUE,
    granularity: "month" as Granularity,
    grouping: "none" as Grouping,
    kind: "line" as Kind,
  };
  const controls = h("div", { class: "controls" });
  const [chart] = showGridPage(
    root,
    "Trends",
    "How the business moves, period by period.",
    ["wide"],
    controls,
  );
  const metric = h(
    "select",
    { "aria-label": "Metric", "data-testid": "trend-metric" },
    METRICS.map(([value, text]) => h("option", { value: String(value) }, text)),
  );
  metric.addEventListener("change", () => {
    state.metric = Number(metric.value) as TrendMetric;
    draw();
  });
  const draw = () => {
    controls.replaceChildren(
      h("label", { class: "field" }, "Metric", metric),
      segmented(
        "granularity",
        [
          ["day", "Day"],
          ["week", "Week"],
          ["month", "Month"],
          ["quarter", "Quarter"],
        ] as const,
        state.granularity,
        (g) => {
          state.granularity = g;
          draw();
        },
      ),
      segmented(
        "grouping",
        [
          ["none", "All"],
          ["region", "Region"],
          ["category", "Category"],
          ["type", "Customer type"],
        ] as const,
        state.grouping,
        (g) => {
          state.grouping = g;
          draw();
        },
      ),
      segmented(
        "chart-kind",
        [
          ["line", "Line"],
          ["bar", "Bars"],
        ] as const,
        state.kind,
        (k) => {
          state.kind = k;
          draw();
        },
      ),
    );
    void fill(chart, "trends", () =>
      trendCard(state.metric, state.granularity, state.grouping, state.kind),
    );
  };
  draw();
}

async function trendCard(
  metric: TrendMetric,
  granularity: Granularity,
  grouping: Grouping,
  kind: Kind,
): Promise<HTMLElement> {
  const res = await api.trends.getTrends({
    metrics: [metric],
    granularity: GRANULARITY[granularity],
    groupBy: GROUPING[grouping],
  });
  const [, name, format] = METRICS.find(([m]) => m === metric) ?? METRICS[0] ?? [metric, "", short];
  const first = res.series[0];
  const labels = (first?.points ?? []).map((p) => periodLabel(p.periodStart, granularity));
  const series = res.series.map((x) => ({
    name: grouping === "none" ? name : x.groupKeyMissing ? "(missing)" : x.groupKey,
    values: x.points.map((p) => p.values[0]?.value ?? null),
  }));
  const title = `${name} by ${granularity}${grouping === "none" ? "" : `, per ${grouping === "type" ? "customer type" : grouping}`}`;
  const partial = (first?.points ?? []).map((p) => p.partial);
  const options = { format, title, height: 320, partial };
  const chart =
    kind === "line"
      ? lineChart(labels, series, options)
      : barChart(labels, series, {
          ...options,
          stacked:
            metric !== TrendMetric.RELATIONSHIP_CHURN_RATE &&
            metric !== TrendMetric.ACTIVE_CUSTOMERS,
        });
  const download = downloadControl("trend roll-up", () => ({
    table: "trends",
    filters: [{ column: "granularity", values: [granularity] }],
  }));
  return card(title, [latest(res, metric, format), chart, metaLine(res.meta)], {
    testid: "trend-card",
    actions: download,
    wide: true,
  });
}

/**
 * Tiles for the last full period of each series (at most four), with the change against the
 * one before. A partial period (the data ends inside it, the API says which) is not the one
 * summed up here: part of a period against a whole one would read as a collapse.
 */
function latest(
  res: GetTrendsResponse,
  metric: TrendMetric,
  format: (v: number) => string,
): HTMLElement {
  const tiles = res.series.slice(0, 4).map((x) => {
    const point = x.points.findLast((p) => !p.partial) ?? x.points.at(-1);
    const v = point?.values[0];
    const value =
      v?.value === undefined
        ? "—"
        : metric === TrendMetric.REVENUE
          ? money(v.exactValue)
          : format(v.value);
    const change =
      point?.partial === true
        ? "partial period: the data ends inside it"
        : v?.changePercent === undefined
          ? "no earlier period to compare"
          : `${v.changePercent >= 0 ? "▲" : "▼"} ${Math.abs(v.changePercent).toFixed(1)}% on the period before`;
    const group = x.groupKey || (x.groupKeyMissing ? "(missing)" : "All");
    return tile(
      `${group}, ${point?.periodStart ?? ""} to ${point?.periodEnd ?? ""}`,
      value,
      change,
    );
  });
  return h("div", { class: "tiles" }, tiles);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function periodLabel(start: string, granularity: Granularity): string {
  const [year = "", month = "1"] = start.split("-");
  if (granularity === "month") return `${MONTHS[Number(month) - 1] ?? month} ${year}`;
  if (granularity === "quarter") return `Q${Math.ceil(Number(month) / 3)} ${year}`;
  return start;
}

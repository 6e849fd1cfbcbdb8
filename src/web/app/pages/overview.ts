import { timestampDate } from "@bufbuild/protobuf/wkt";
import { SyncState } from "../../../../gen/customeranalytics/v1/sync_pb.js";
import {
  type GetTrendsResponse,
  TrendGranularity,
  TrendGroupBy,
  TrendMetric,
  type TrendPoint,
} from "../../../../gen/customeranalytics/v1/trend_pb.js";
import { hbarChart } from "../charts/hbar-chart.js";
import { api } from "../client.js";
import { h } from "../dom.js";
import { age, count, label, money, share, short, when } from "../format.js";
import { segmentLook } from "../segments-meta.js";
import { badge, card, fill, metaLine, showGridPage, tile } from "../ui.js";

/** Bars sized for a half-width card. */
const HALF_BARS = { width: 520, labelWidth: 170, noteWidth: 120 } as const;

/** How many products and categories the overview ranks. */
const TOP = 5;

/**
 * The landing page: the headline numbers (customers, active customers, revenue of the last full
 * month and its change), the segment mix, the top products and categories, and how fresh the
 * data is with the last sync's outcome. Every card links to the page that tells more.
 */
export function overviewPage(root: HTMLElement, _signal: AbortSignal): void {
  const [headline, segments, freshness, categories, products] = showGridPage(
    root,
    "Overview",
    "The customer base at a glance, and how current the data is.",
    ["wide", "half", "half", "half", "half"],
  );
  void fill(headline, "the headline numbers", headlineCard);
  void fill(segments, "the segment mix", segmentCard);
  void fill(freshness, "the data's freshness", freshnessCard);
  void fill(categories, "the top categories", categoryCard);
  void fill(products, "the top products", productCard);
}

/** A card title that is a link to the page with the details. */
function more(href: string, text: string): HTMLElement {
  return h("a", { href, class: "more" }, text);
}

/**
 * The last full period of a series, as the API marks it (`partial` is set on a period the data
 * ends inside), so the headline never compares a period cut short by the snapshot's end.
 */
function lastFull(points: readonly TrendPoint[]): TrendPoint | undefined {
  for (let i = points.length - 1; i >= 0; i--) {
    const point = points[i];
    if (point !== undefined && !point.partial) return point;
  }
  return undefined;
}

function changeText(percent: number | undefined): string {
  if (percent === undefined) return "no earlier month to compare";
  return `${percent >= 0 ? "▲" : "▼"} ${Math.abs(percent).toFixed(1)}% on the month before`;
}

async function headlineCard(): Promise<HTMLElement> {
  const [tables, trends] = await Promise.all([
    api.explore.listTables({}),
    api.trends.getTrends({
      metrics: [TrendMetric.REVENUE, TrendMetric.ACTIVE_CUSTOMERS],
      granularity: TrendGranularity.MONTH,
      groupBy: TrendGroupBy.NONE,
    }),
  ]);
  const customers = tables.tables.find((t) => t.name === "customers")?.rowCount ?? 0n;
  const point = lastFull(trends.series[0]?.points ?? []);
  const [revenue, active] = point?.values ?? [];
  const period = point === undefined ? "" : `${point.periodStart} to ${point.periodEnd}`;
  return card(
    "At a glance",
    [
      h(
        "div",
        { class: "tiles", "data-testid": "overview-tiles" },
        h(
          "a",
          { href: "#/customer", class: "tile-link" },
          tile("Customers", count(customers), "in the snapshot"),
        ),
        h(
          "a",
          { href: "#/trends", class: "tile-link" },
          tile(
            "Active customers",
            active?.value === undefined ? "—" : count(active.value),
            `in ${period}`,
          ),
        ),
        h(
          "a",
          { href: "#/trends", class: "tile-link", "data-testid": "overview-revenue" },
          tile(
            `Revenue, ${period}`,
            revenue === undefined ? "—" : money(revenue.exactValue),
            changeText(revenue?.changePercent),
          ),
        ),
      ),
      metaLine(trends.meta),
    ],
    { wide: true, testid: "overview-headline", actions: more("#/trends", "Trends →") },
  );
}

async function segmentCard(): Promise<HTMLElement> {
  const res = await api.segments.getSegmentSummary({});
  const ordered = [...res.segments].sort((a, b) => Number(b.customerCount - a.customerCount));
  const rows = ordered.map((s) => {
    const look = segmentLook(s.segment);
    return { label: look.name, value: s.share, note: share(s.share), colour: look.colour };
  });
  return card(
    "Segment mix",
    [hbarChart(rows, "Customers by RFM segment", share, HALF_BARS), metaLine(res.meta)],
    { testid: "overview-segments", actions: more("#/segments", "Segments →") },
  );
}

async function categoryCard(): Promise<HTMLElement> {
  const res = await api.trends.getTrends({
    metrics: [TrendMetric.REVENUE],
    granularity: TrendGranularity.MONTH,
    groupBy: TrendGroupBy.PRODUCT_CATEGORY,
  });
  return card("Top categories by revenue", [topCategories(res), metaLine(res.meta)], {
    testid: "overview-categories",
    actions: more("#/trends", "Trends →"),
  });
}

function topCategories(res: GetTrendsResponse): HTMLElement | SVGSVGElement {
  const rows = res.series
    .map((series) => {
      const v = lastFull(series.points)?.values[0];
      return {
        label: series.groupKey || "(missing)",
        value: v?.value ?? 0,
        note: v === undefined ? "—" : money(v.exactValue),
      };
    })
    .sort((a, b) => b.value - a.value)
    .slice(0, TOP);
  if (rows.length === 0) return h("p", { class: "muted" }, "No revenue in the last full month.");
  return hbarChart(rows, "Revenue by product category, last full month", short, HALF_BARS);
}

async function productCard(): Promise<HTMLElement> {
  const profile = await api.explore.getTableProfile({ table: "customer_products" });
  const top = (profile.columns.find((c) => c.name === "product_id")?.topValues ?? []).slice(0, TOP);
  const names = await Promise.all(
    top.map((v) =>
      v.value === undefined
        ? Promise.resolve("(missing)")
        : api.products
            .getProduct({ productId: v.value })
            .then((p) => p.product?.productName || v.value || "")
            .catch(() => v.value ?? ""),
    ),
  );
  const rows = top.map((v, i) => ({
    label: names[i] ?? "",
    value: Number(v.count),
    note: `${count(v.count)} holdings`,
  }));
  return card(
    "Top products by holdings",
    [
      rows.length === 0
        ? h("p", { class: "muted" }, "No holdings yet.")
        : hbarChart(rows, "Products held most often", short, HALF_BARS),
      metaLine(profile.meta),
    ],
    { testid: "overview-products", actions: more("#/explore/customer_products", "Explore →") },
  );
}

async function freshnessCard(): Promise<HTMLElement> {
  const res = await api.sync.getSyncStatus({});
  const live = res.liveSnapshot;
  const last = res.lastRun;
  const asOf = live?.dataAsOf;
  const outcome =
    last === undefined
      ? badge("no sync yet", "muted")
      : last.state === SyncState.SUCCEEDED
        ? badge("succeeded", "good")
        : last.state === SyncState.FAILED
          ? badge("failed", "bad")
          : badge(label(SyncState[last.state].toLowerCase()), "info");
  return card(
    "Data freshness",
    [
      h(
        "div",
        { class: "tiles" },
        tile(
          "Data age",
          asOf === undefined ? "—" : age(Date.now() - timestampDate(asOf).getTime()),
          asOf === undefined ? "no snapshot yet" : `as of ${when(asOf)}`,
        ),
      ),
      h(
        "p",
        { "data-testid": "overview-last-sync" },
        "Last sync ",
        outcome,
        last === undefined ? "" : ` ${when(last.finishedAt ?? last.startedAt)}`,
        last?.message ? h("span", { class: "muted" }, ` — ${last.message}`) : null,
      ),
      h("p", { class: "muted" }, `Snapshot ${live?.snapshotId ?? "none"} from ${res.source}`),
    ],
    { testid: "overview-freshness", actions: more("#/sync", "Sync →") },
  );
}

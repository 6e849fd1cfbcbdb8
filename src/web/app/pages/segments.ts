import { CohortGranularity } from "../../../../gen/customeranalytics/v1/segmentation_pb.js";
import { hbarChart } from "../charts/hbar-chart.js";
import { heatMap } from "../charts/heat-map.js";
import { api } from "../client.js";
import { h } from "../dom.js";
import { downloadControl } from "../download.js";
import { count, money, share, short } from "../format.js";
import { segmentLook } from "../segments-meta.js";
import { card, dataTable, figure, fill, metaLine, showGridPage, tile } from "../ui.js";

/** Cohorts shown in the heat map: the most recent, so it stays readable. */
const COHORTS_SHOWN = 18;
/** Periods after the cohort's own shown per row. */
const PERIODS_SHOWN = 12;

/**
 * The Segments page: customers per RFM segment as bars with their share and mean R, F and M,
 * and monthly cohort retention as a heat map; a download of every customer's scores.
 */
export function segmentsPage(root: HTMLElement): void {
  const [summary, cohorts] = showGridPage(
    root,
    "Segments",
    "Who is thriving, who is slipping, and how each cohort keeps coming back.",
    ["wide", "wide"],
  );
  void fill(summary, "segments", async () => {
    const res = await api.segments.getSegmentSummary({});
    const ordered = [...res.segments].sort((a, b) => Number(b.customerCount - a.customerCount));
    const bars = hbarChart(
      ordered.map((x) => {
        const look = segmentLook(x.segment);
        return {
          label: look.name,
          value: Number(x.customerCount),
          note: `${count(x.customerCount)} · ${share(x.share)}`,
          colour: look.colour,
        };
      }),
      "Customers per RFM segment",
      short,
    );
    const rows = ordered.map((x) =>
      h(
        "tr",
        {},
        h("td", {}, segmentLook(x.segment).name),
        h("td", { class: "num" }, count(x.customerCount)),
        h("td", { class: "num" }, `${short(x.meanRecencyDays)} d`),
        h("td", { class: "num" }, short(x.meanFrequency)),
        h("td", { class: "num" }, short(x.meanMonetaryNumber)),
        h("td", { class: "num" }, money(x.totalMonetary)),
      ),
    );
    const best = ordered[0];
    return card(
      "RFM segments",
      [
        h(
          "div",
          { class: "tiles" },
          tile(
            "Scored customers",
            count(res.scoredCustomerCount),
            `reference date ${res.referenceDate}`,
          ),
          best === undefined
            ? null
            : tile("Largest segment", segmentLook(best.segment).name, share(best.share)),
        ),
        figure("segment-chart", bars),
        dataTable(
          [
            "Segment",
            "Customers",
            "Mean recency",
            "Mean frequency",
            "Mean monetary",
            "Total monetary",
          ],
          rows,
        ),
        metaLine(res.meta),
      ],
      {
        testid: "segments-card",
        wide: true,
        actions: downloadControl("customer segments", () => ({ table: "segments" })),
      },
    );
  });
  void fill(cohorts, "cohorts", async () => {
    const res = await api.segments.getCohortRetention({
      granularity: CohortGranularity.MONTH,
      maxPeriods: PERIODS_SHOWN,
    });
    const shown = res.cohorts.slice(-COHORTS_SHOWN);
    const columns = Array.from({ length: PERIODS_SHOWN }, (_, i) => String(i));
    const rows = shown.map((c) => ({
      label: c.cohortStart.slice(0, 7),
      note: `(${count(c.size)})`,
      cells: columns.map((_, i) => {
        const p = c.periods.find((x) => x.period === i);
        return p === undefined ? null : p.retention;
      }),
    }));
    return card(
      "Cohort retention",
      [
        h(
          "p",
          { class: "muted" },
          "Each row is the customers whose first relationship started that month; each cell, the share of them who started another relationship that many months later.",
        ),
        figure("cohort-heatmap", heatMap(columns, rows, "Monthly cohort retention", share)),
        metaLine(res.meta),
      ],
      { testid: "cohorts-card", wide: true },
    );
  });
}

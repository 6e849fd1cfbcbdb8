import {
  type ColumnProfile,
  ExpectationStatus,
  type ExploreTable,
  ProfileAlertType,
  SemanticType,
} from "../../../../gen/customeranalytics/v1/explore_pb.js";
import { barChart } from "../charts/bar-chart.js";
import { hbarChart } from "../charts/hbar-chart.js";
import { api } from "../client.js";
import { h } from "../dom.js";
import { downloadControl } from "../download.js";
import { count, label, share, short } from "../format.js";
import { badge, card, dataTable, fill, metaLine, segmented, showGridPage, tile } from "../ui.js";

/** Bars sized for a column card, so their text is as large as the card's. */
const SMALL_BARS = { width: 340, labelWidth: 110, noteWidth: 90 } as const;

/** Tables ExportTable serves under the same name as ExploreService's. */
const EXPORTABLE = new Set(["customers", "products", "customer_products"]);

const STATUS: ReadonlyMap<ExpectationStatus, [string, "good" | "warn" | "bad"]> = new Map([
  [ExpectationStatus.PASS, ["pass", "good"]],
  [ExpectationStatus.WARN, ["warn", "warn"]],
  [ExpectationStatus.FAIL, ["fail", "bad"]],
]);

/**
 * The Explore page: pick a table, see its profile (table statistics, alerts, and a card per
 * column with a histogram or its most frequent values), and the data-quality report with each
 * check's pass, warn or fail.
 */
export function explorePage(
  root: HTMLElement,
  _signal: AbortSignal,
  picked: string | undefined,
): void {
  const picker = h("div", { class: "controls" });
  const [profile, quality] = showGridPage(
    root,
    "Explore",
    "What the mirrored tables hold, column by column, and whether the data can be trusted.",
    ["wide", "wide"],
    picker,
  );
  void fill(picker, "tables", async () => {
    const res = await api.explore.listTables({});
    const tables = res.tables;
    const chosen = tables.find((t) => t.name === picked)?.name ?? tables[0]?.name ?? "";
    const choose = (name: string) => {
      window.location.hash = `#/explore/${name}`;
    };
    if (chosen !== "")
      void fill(profile, `the ${chosen} profile`, () => profileCard(chosen, tables));
    return segmented(
      "table-picker",
      tables.map((t) => [t.name, `${t.name} (${count(t.rowCount)})`] as const),
      chosen,
      choose,
    );
  });
  void fill(quality, "the data-quality report", qualityCard);
}

async function profileCard(table: string, tables: readonly ExploreTable[]): Promise<HTMLElement> {
  const res = await api.explore.getTableProfile({ table });
  const t = res.table;
  const alerts = res.alerts.map((a) =>
    badge(
      `${a.column === "" ? "table" : a.column}: ${label(ProfileAlertType[a.type].toLowerCase())}`,
      a.type === ProfileAlertType.MISSING || a.type === ProfileAlertType.DUPLICATES
        ? "warn"
        : "muted",
    ),
  );
  const info = tables.find((x) => x.name === table);
  return card(
    `Profile of ${table}`,
    [
      h(
        "div",
        { class: "tiles" },
        tile("Rows", count(t?.nRows ?? 0n)),
        tile("Columns", count(t?.nColumns ?? info?.columnCount ?? 0)),
        tile(
          "Missing cells",
          share(t?.pCellsMissing ?? 0),
          `${count(t?.nCellsMissing ?? 0n)} cells`,
        ),
        tile("Duplicate rows", count(t?.nDuplicateRows ?? 0n)),
      ),
      alerts.length === 0
        ? h("p", { class: "muted" }, "No alerts.")
        : h(
            "p",
            { class: "badges", "data-testid": "profile-alerts" },
            h("strong", {}, "Alerts "),
            alerts,
          ),
      h("div", { class: "columns", "data-testid": "column-profiles" }, res.columns.map(columnCard)),
      metaLine(res.meta),
    ],
    {
      testid: "profile-card",
      wide: true,
      actions: EXPORTABLE.has(table) ? downloadControl(table, () => ({ table })) : null,
    },
  );
}

function columnCard(c: ColumnProfile): HTMLElement {
  const facts = [
    `${count(c.nDistinct)} distinct`,
    `${share(c.pMissing)} missing`,
    c.numeric?.mean === undefined ? null : `mean ${short(c.numeric.mean)}`,
    c.date?.min === undefined ? null : `${c.date.min} to ${c.date.max ?? ""}`,
    c.text?.meanLength === undefined ? null : `length ~${short(c.text.meanLength)}`,
  ].filter((x): x is string => x !== null);
  let chart: Element | null = null;
  if (c.histogram.length > 0) {
    chart = barChart(
      c.histogram.map((b) => (b.lowerLabel || short(b.lower)).replace(/T\d\d:.*$/, "")),
      [{ name: c.name, values: c.histogram.map((b) => Number(b.count)) }],
      { format: short, title: `Histogram of ${c.name}`, width: 340, height: 170, xLabels: 2 },
    );
  } else if (c.topValues.length > 0) {
    chart = hbarChart(
      c.topValues.slice(0, 6).map((v) => ({
        label: v.value,
        value: Number(v.count),
        note: `${count(v.count)} · ${share(v.frequency)}`,
      })),
      `Most frequent values of ${c.name}`,
      short,
      SMALL_BARS,
    );
  }
  return h(
    "article",
    { class: "column" },
    h(
      "h3",
      {},
      c.name,
      " ",
      badge(label(SemanticType[c.semanticType].toLowerCase()), "info"),
      h("span", { class: "muted" }, ` ${c.dataType}`),
    ),
    h("p", { class: "muted" }, facts.join(" · ")),
    chart,
  );
}

async function qualityCard(): Promise<HTMLElement> {
  const res = await api.explore.getDataQualityReport({});
  const sum = res.summary;
  const worstFirst = [...res.results].sort((a, b) => b.status - a.status);
  const rows = worstFirst.map((r) => {
    const [text, tone] = STATUS.get(r.status) ?? ["?", "warn"];
    return h(
      "tr",
      {},
      h("td", {}, badge(text, tone)),
      h("td", {}, r.table || "snapshot"),
      h("td", {}, r.description, h("div", { class: "muted" }, r.expectation)),
      h(
        "td",
        { class: "num" },
        r.unexpectedPercent === undefined ? r.observedValue : `${r.unexpectedPercent.toFixed(2)}%`,
      ),
    );
  });
  return card(
    "Data quality",
    [
      h(
        "div",
        { class: "tiles" },
        tile("Checks", count(sum?.evaluated ?? 0)),
        tile("Passed", count(sum?.passed ?? 0)),
        tile("Warnings", count(sum?.warned ?? 0)),
        tile("Failures", count(sum?.failed ?? 0)),
      ),
      dataTable(["Status", "Table", "Check", "Unexpected"], rows, {
        testid: "quality-table",
        tall: true,
      }),
      metaLine(res.meta),
    ],
    { testid: "quality-card", wide: true },
  );
}

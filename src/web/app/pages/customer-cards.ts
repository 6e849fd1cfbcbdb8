import { hbarChart } from "../charts/hbar-chart.js";
import { colour } from "../charts/scale.js";
import { api } from "../client.js";
import { type Child, h, s } from "../dom.js";
import { count, label, money, ratio, share } from "../format.js";
import { segmentLook } from "../segments-meta.js";
import { badge, card, dataTable, metaLine } from "../ui.js";

/** The customer's RFM segment: a badge in the segment's colour, the three scores as meters. */
export async function segmentCard(id: string): Promise<HTMLElement> {
  const seg = await api.segments.getCustomerSegment({ customerId: id });
  const look = segmentLook(seg.segment);
  const body: Child = seg.scored
    ? [
        h(
          "p",
          { class: "segment-name", "data-testid": "customer-segment" },
          dot(look.colour),
          look.name,
          h("span", { class: "muted" }, ` RFM ${seg.rfmScore}`),
        ),
        h(
          "div",
          { class: "scores" },
          meter("Recency", seg.rScore, `${count(seg.recencyDays)} days since the last start`),
          meter("Frequency", seg.fScore, `${count(seg.frequency)} relationships`),
          meter("Monetary", seg.mScore, `${money(seg.monetary)} in total`),
        ),
        h("p", { class: "muted" }, `Scored on ${seg.referenceDate}; 5 is best.`),
      ]
    : h(
        "p",
        { class: "hint", "data-testid": "customer-segment" },
        "Not scored: no relationship with a positive value before the reference date.",
      );
  return card("Segment", [body, metaLine(seg.meta)], { testid: "segment-card" });
}

function dot(colour: string): SVGSVGElement {
  return s(
    "svg",
    { viewBox: "0 0 12 12", class: "swatch", "aria-hidden": "true" },
    s("circle", { cx: 6, cy: 6, r: 6, fill: colour }),
  );
}

function meter(name: string, score: number, note: string): HTMLElement {
  const cells = [1, 2, 3, 4, 5].map((i) => h("span", { class: i <= score ? "pip on" : "pip" }));
  return h(
    "div",
    { class: "meter", title: note },
    h("span", { class: "meter-name" }, name),
    h("span", { class: "pips", "aria-label": `${name} score ${score} of 5` }, cells),
    h("span", { class: "meter-note" }, note),
  );
}

/**
 * The portfolio: totals by category as bars, then every holding with its dates, value and
 * whether it is active. Returns the product names it learnt, for explaining recommendations.
 */
export async function portfolioCard(
  id: string,
  download: HTMLElement,
): Promise<{ element: HTMLElement; names: Map<string, string> }> {
  const res = await api.portfolio.getCustomerPortfolio({ customerId: id, pageSize: 200 });
  const names = new Map(res.holdings.map((x) => [x.productId, x.productName || x.productId]));
  const rows = res.holdings.map((x) =>
    h(
      "tr",
      {},
      h(
        "td",
        {},
        h("strong", {}, x.productName || x.productId),
        h("div", { class: "muted" }, x.productId),
      ),
      h("td", {}, label(x.productCategory || "—")),
      h("td", {}, label(x.relationshipType)),
      h("td", { class: "nowrap" }, x.startDate),
      h("td", { class: "nowrap" }, x.endDate || "—"),
      h("td", { class: "num" }, money(x.value)),
      h("td", {}, x.active ? badge("active", "good") : badge("ended", "muted")),
    ),
  );
  const totals = res.totals;
  const element = card(
    "Portfolio",
    [
      h(
        "div",
        { class: "split" },
        h(
          "div",
          {},
          h("h3", {}, "Value by category"),
          categoryBars(
            res.categoryTotals.map((t) => ({
              category: t.productCategory === "" ? "(no category)" : label(t.productCategory),
              value: t.totalValueNumber,
              text: money(t.totalValue),
            })),
          ),
          totals === undefined
            ? null
            : h(
                "p",
                { class: "muted" },
                `${count(totals.activeHoldings)} of ${count(totals.holdings)} holdings active, worth ${money(totals.activeValue)} of ${money(totals.totalValue)} in total.`,
              ),
        ),
        dataTable(["Product", "Category", "Type", "Start", "End", "Value", ""], rows, {
          testid: "portfolio-table",
          note:
            res.nextPageToken === ""
              ? null
              : h(
                  "p",
                  { class: "muted" },
                  "Showing the 200 most recent holdings; download for all.",
                ),
        }),
      ),
      metaLine(res.meta),
    ],
    { testid: "portfolio", actions: download, wide: true },
  );
  return { element, names };
}

/** Products to offer next, best first, each with the held products that explain it. */
export async function recommendationsCard(
  id: string,
  names: ReadonlyMap<string, string>,
  download: HTMLElement,
): Promise<HTMLElement> {
  const res = await api.crossSell.getRecommendations({ customerId: id, limit: 5 });
  const items = res.recommendations.map((r, i) =>
    h(
      "li",
      { class: "rec" },
      h("span", { class: "rank" }, String(i + 1)),
      h(
        "div",
        { class: "rec-body" },
        h(
          "div",
          {},
          h("strong", {}, r.productName || r.productId),
          " ",
          badge(label(r.productCategory || "—"), "info"),
        ),
        h(
          "div",
          { class: "bar-line", title: `Confidence ${share(r.confidence)}` },
          h("span", { class: "bar-fill", "data-width": String(Math.round(r.confidence * 100)) }),
        ),
        h(
          "div",
          { class: "muted" },
          `${share(r.confidence)} confidence · lift ${ratio(r.lift)} · ${count(r.productHolders)} holders`,
        ),
        h(
          "div",
          { class: "because" },
          "Because you hold ",
          r.becauseProductIds.map((p, j) => [
            j === 0 ? "" : j === r.becauseProductIds.length - 1 ? " and " : ", ",
            h("em", {}, names.get(p) ?? p),
          ]),
        ),
      ),
    ),
  );
  const body =
    items.length === 0
      ? h(
          "p",
          { class: "hint" },
          "No recommendation: no rule links what this customer holds to a product they lack.",
        )
      : h("ol", { class: "recs", "data-testid": "recommendations" }, items);
  const element = card("Recommended next", [body, metaLine(res.meta)], {
    testid: "recommendations-card",
    actions: download,
  });
  for (const bar of element.querySelectorAll<HTMLElement>(".bar-fill")) {
    bar.style.width = `${bar.dataset.width ?? "0"}%`;
  }
  return element;
}

/** Category totals as bars, for the portfolio card. */
function categoryBars(
  totals: readonly { category: string; value: number; text: string }[],
): SVGSVGElement {
  return hbarChart(
    totals.map((t, i) => ({ label: t.category, value: t.value, note: t.text, colour: colour(i) })),
    "Value by product category",
    String,
    { width: 440, labelWidth: 110, noteWidth: 100 },
  );
}

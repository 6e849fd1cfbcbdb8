import { type CustomerValue, ValueRanking } from "../../../../gen/customeranalytics/v1/value_pb.js";
import { barChart } from "../charts/bar-chart.js";
import { api } from "../client.js";
import { h } from "../dom.js";
import { count, money, share, short } from "../format.js";
import {
  badge,
  card,
  dataTable,
  errorBox,
  figure,
  fill,
  metaLine,
  showGridPage,
  tile,
} from "../ui.js";
import { unusableModel } from "./customer-value-card.js";

/** Customers in the at-risk table; the download holds up to a full page (1000). */
const AT_RISK_SHOWN = 25;
const AT_RISK_DOWNLOADED = 1000;
/** The default holdout: the last 26 weeks before the snapshot's reference day. */
const HOLDOUT_DAYS = 182;

/**
 * The Value page: the BG/NBD and Gamma-Gamma models behind P(alive) and CLV, how the value is
 * spread over the customers (CLV by decile), how well the model predicts a holdout period,
 * and the customers with the most value at risk (high expected spend, low P(alive)), with a
 * CSV download of that list.
 */
export function valuePage(root: HTMLElement): void {
  const [model, holdout, atRisk] = showGridPage(
    root,
    "Value",
    "Who is still a customer, what they are worth, and whose value is slipping away.",
    ["wide", "wide", "wide"],
  );
  void fill(model, "the value model", async () => {
    const res = await api.value.getValueModel({});
    const bg = res.bgnbd;
    const gg = res.gammaGamma;
    const deciles = barChart(
      res.clvDeciles.map((d) => String(d.decile)),
      [{ name: "Total CLV", values: res.clvDeciles.map((d) => d.totalClv) }],
      { format: short, title: "Total CLV per decile of customers (1 = lowest)" },
    );
    const fitBadge = (ok: boolean | undefined, reason: string | undefined) =>
      ok === true ? badge("converged", "good") : badge(`not converged: ${reason ?? ""}`, "bad");
    return card(
      "Value model",
      [
        h(
          "div",
          { class: "tiles" },
          tile("Customers fitted", count(res.customerCount), `calibrated to ${res.calibrationEnd}`),
          tile("Repeat buyers", count(res.repeatBuyerCount)),
          tile(
            "Left out of the spend fit",
            count(res.spendLeftOutCount),
            "repeat purchases worth 0",
          ),
          tile(
            "CLV horizon",
            `${res.horizonMonths} months`,
            `${share(res.monthlyDiscount)} a month`,
          ),
        ),
        h(
          "p",
          { class: "badges" },
          "BG/NBD ",
          fitBadge(bg?.converged, bg?.reason),
          ` r ${short(bg?.r ?? 0)} · α ${short(bg?.alpha ?? 0)} · a ${short(bg?.a ?? 0)} · b ${short(bg?.b ?? 0)}   Gamma-Gamma `,
          fitBadge(gg?.converged, gg?.reason),
          ` p ${short(gg?.p ?? 0)} · q ${short(gg?.q ?? 0)} · γ ${short(gg?.gamma ?? 0)}`,
        ),
        figure("clv-deciles", deciles),
        metaLine(res.meta),
      ],
      { testid: "value-model-card", wide: true },
    );
  });
  void fill(holdout, "the holdout check", () =>
    withUsableModel("Calibration vs holdout", async () => {
      const base = await api.value.getValueModel({});
      const holdoutEnd = shiftDays(base.calibrationEnd, -1);
      const calibrationEnd = shiftDays(holdoutEnd, -HOLDOUT_DAYS);
      const res = await api.value.getValueModel({ args: { calibrationEnd }, holdoutEnd });
      const chart = barChart(
        res.holdout.map((b) => b.label),
        [
          { name: "Actual", values: res.holdout.map((b) => b.actualMean) },
          { name: "Expected", values: res.holdout.map((b) => b.expectedMean) },
        ],
        { format: short, title: "Mean purchases in the holdout by calibration repeat purchases" },
      );
      return card(
        "Calibration vs holdout",
        [
          h(
            "p",
            { class: "muted" },
            `Fitted on purchases up to ${calibrationEnd}, compared with what customers did until ${holdoutEnd}.`,
          ),
          figure("holdout-chart", chart),
          metaLine(res.meta),
        ],
        { testid: "holdout-card", wide: true },
      );
    }),
  );
  void fill(atRisk, "the customers at risk", () =>
    withUsableModel("High value at risk", async () => {
      const res = await api.value.listCustomersByValue({
        ranking: ValueRanking.AT_RISK,
        pageSize: AT_RISK_SHOWN,
      });
      const rows = res.customers.map((c) =>
        h(
          "tr",
          {},
          h(
            "td",
            {},
            h("a", { href: `#/customer/${encodeURIComponent(c.customerId)}` }, c.customerId),
          ),
          h("td", { class: "num" }, money(c.valueAtRisk)),
          h("td", { class: "num" }, share(c.probabilityAlive)),
          h("td", { class: "num" }, money(c.expectedSpend)),
          h("td", { class: "num" }, count(c.x)),
          h("td", {}, c.lastPurchaseDate),
        ),
      );
      const button = h(
        "button",
        { type: "button", class: "ghost", "data-testid": "download" },
        "Download CSV",
      );
      const status = h("span", { class: "download-status", "aria-live": "polite" });
      button.addEventListener("click", () => {
        status.replaceChildren("Preparing…");
        downloadAtRisk(button)
          .then(() => status.replaceChildren("Saved high-value-at-risk.csv"))
          .catch((err: unknown) => status.replaceChildren(errorBox(err) ?? ""));
      });
      return card(
        "High value at risk",
        [
          dataTable(
            ["Customer", "Value at risk", "P(alive)", "Expected spend", "Repeats", "Last purchase"],
            rows,
            { testid: "at-risk-table" },
          ),
          metaLine(res.meta),
        ],
        {
          testid: "at-risk-card",
          wide: true,
          actions: h("div", { class: "download" }, button, status),
        },
      );
    }),
  );
}

/**
 * A card that needs the model's predictions: when the model cannot give any (it did not
 * converge), the card keeps its title and holds the reason instead of what `load` shows.
 */
async function withUsableModel(
  title: string,
  load: () => Promise<HTMLElement>,
): Promise<HTMLElement> {
  const unusable = await unusableModel();
  return unusable !== "" ? card(title, h("p", { class: "hint" }, unusable)) : load();
}

/** `day` (YYYY-MM-DD) moved by `days`. */
function shiftDays(day: string, days: number): string {
  const t = Date.parse(`${day}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** Fetches the top of the at-risk ranking and saves it as CSV. */
async function downloadAtRisk(button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  try {
    const res = await api.value.listCustomersByValue({
      ranking: ValueRanking.AT_RISK,
      pageSize: AT_RISK_DOWNLOADED,
    });
    const header =
      "customer_id,value_at_risk,p_alive,expected_spend,clv,repeat_purchases,last_purchase";
    const lines = res.customers.map((c: CustomerValue) =>
      [
        c.customerId,
        c.valueAtRisk,
        c.probabilityAlive,
        c.expectedSpend,
        c.clv,
        c.x,
        c.lastPurchaseDate,
      ]
        .map((v) => csvField(String(v)))
        .join(","),
    );
    const url = URL.createObjectURL(
      new Blob([[header, ...lines].join("\n")], { type: "text/csv" }),
    );
    const link = h("a", { href: url, download: "high-value-at-risk.csv", hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } finally {
    button.disabled = false;
  }
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

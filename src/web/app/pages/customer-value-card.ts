import { Code, ConnectError } from "@connectrpc/connect";
import { api } from "../client.js";
import { h } from "../dom.js";
import { money, share, short } from "../format.js";
import { card, metaLine, tile } from "../ui.js";

/**
 * The customer page's Value card: P(alive), CLV, expected purchases and spend from the
 * snapshot's BG/NBD and Gamma-Gamma models. A customer the model says nothing about (no
 * purchase yet, or a model that did not converge) gets the reason instead of numbers.
 */
export async function valueCard(id: string): Promise<HTMLElement> {
  const unusable = await unusableModel();
  if (unusable !== "") {
    return card("Value", h("p", { class: "hint", "data-testid": "customer-p-alive" }, unusable), {
      testid: "value-card",
    });
  }
  try {
    const res = await api.value.getCustomerValue({ customerId: id });
    const v = res.value;
    if (v === undefined) throw new Error("the answer had no value");
    return card(
      "Value",
      [
        h(
          "div",
          { class: "tiles" },
          tile("P(alive)", share(v.probabilityAlive), `${short(Number(v.x))} repeat purchases`),
          tile("CLV", money(v.clv), "next 12 months, discounted"),
          tile("Expected purchases", short(v.expectedPurchases90d), "next 90 days"),
          tile("Expected spend", money(v.expectedSpend), "per purchase"),
        ),
        h(
          "p",
          { class: "muted", "data-testid": "customer-p-alive" },
          `Calibrated to ${res.calibrationEnd}; last purchase ${v.lastPurchaseDate}.`,
        ),
        metaLine(res.meta),
      ],
      { testid: "value-card" },
    );
  } catch (err) {
    if (err instanceof ConnectError && err.code === Code.FailedPrecondition) {
      return card(
        "Value",
        h("p", { class: "hint", "data-testid": "customer-p-alive" }, err.rawMessage),
        {
          testid: "value-card",
        },
      );
    }
    throw err;
  }
}

/**
 * Why the snapshot's value model gives no predictions, or "" when it does: asked first, so a
 * model that did not converge is explained rather than met as a failed call.
 */
export async function unusableModel(): Promise<string> {
  const model = await api.value.getValueModel({});
  for (const [name, fit] of [
    ["BG/NBD", model.bgnbd],
    ["Gamma-Gamma", model.gammaGamma],
  ] as const) {
    if (fit?.converged !== true) {
      return `No predictions: the ${name} model did not converge on this data (${fit?.reason ?? "no fit"}).`;
    }
  }
  return "";
}

import type { Customer } from "../../../../gen/customeranalytics/v1/customer_pb.js";
import { api } from "../client.js";
import { h } from "../dom.js";
import { downloadControl } from "../download.js";
import { count, label, money } from "../format.js";
import { badge, card, errorBox, fill, metaLine, showPage, slot, tile } from "../ui.js";
import { portfolioCard, recommendationsCard, segmentCard } from "./customer-cards.js";
import { valueCard } from "./customer-value-card.js";

/**
 * The Customer page: find a customer by name or id, then their profile and summary, RFM
 * segment, portfolio and recommendations. The chosen id lives in the URL (`#/customer/<id>`),
 * so a reload or a shared link shows the same customer.
 */
export function customerPage(root: HTMLElement, signal: AbortSignal, id: string | undefined): void {
  const input = h("input", {
    type: "search",
    name: "q",
    placeholder: "Name or customer id",
    "aria-label": "Customer name or id",
    "data-testid": "customer-search",
    autocomplete: "off",
  });
  const results = h("div", { class: "results", "data-testid": "search-results" });
  const detail = h("div", { class: "grid" });
  const form = h(
    "form",
    { class: "search", role: "search" },
    input,
    h("button", { type: "submit", class: "primary" }, "Search"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = input.value.trim();
    if (query !== "") void search(query, results, detail, signal);
  });
  showPage(
    root,
    "Customer",
    "Who a customer is, what they hold, and what to offer them next.",
    form,
    results,
    detail,
  );
  void exampleFromData(input, signal);
  if (id !== undefined) {
    input.value = id;
    showCustomer(id, detail);
  } else {
    detail.replaceChildren(
      h(
        "p",
        { class: "hint" },
        "Search for a customer to see their portfolio, segment and recommendations.",
      ),
    );
  }
}

/**
 * Puts a real customer in the search field's placeholder ("e.g. Alice or C00001" means nothing
 * when the ids look like 12347): the first customer of the list, by name and id.
 */
async function exampleFromData(input: HTMLInputElement, signal: AbortSignal): Promise<void> {
  try {
    const res = await api.customers.listCustomers({ pageSize: 1 }, { signal });
    const c = res.customers[0];
    if (c === undefined) return;
    const word = c.customerName.split(/\s+/)[0] ?? "";
    input.placeholder =
      word === "" || word === c.customerId
        ? `Name or customer id, e.g. ${c.customerId}`
        : `Name or customer id, e.g. ${word} or ${c.customerId}`;
  } catch {
    // The page's own sections say what is wrong; the placeholder stays generic.
  }
}

async function search(
  query: string,
  results: HTMLElement,
  detail: HTMLElement,
  signal: AbortSignal,
): Promise<void> {
  results.replaceChildren(h("p", { class: "loading" }, "Searching…"));
  try {
    // BatchGetCustomers reports an unknown id as missing rather than failing, so looking the
    // text up as an id costs nothing when it is a name.
    const [byId, byName] = await Promise.all([
      query.length <= 50
        ? api.customers.batchGetCustomers({ customerIds: [query] }, { signal })
        : undefined,
      api.customers.listCustomers({ nameContains: query, pageSize: 20 }, { signal }),
    ]);
    results.replaceChildren();
    const exact = byId?.customers[0]?.customer;
    if (exact !== undefined) return open(exact.customerId);
    const found = byName.customers;
    if (found.length === 1 && found[0] !== undefined) return open(found[0].customerId);
    if (found.length === 0) {
      detail.replaceChildren();
      results.append(
        h("p", { class: "hint" }, `No customer has the id or a name containing “${query}”.`),
      );
      return;
    }
    detail.replaceChildren();
    const more = byName.nextPageToken === "" ? "" : "+";
    results.append(
      card(
        `${found.length}${more} customers match “${query}”`,
        [
          h(
            "ul",
            { class: "matches" },
            found.map((c) => h("li", {}, matchLink(c))),
          ),
          metaLine(byName.meta),
        ],
        { wide: true, testid: "matches" },
      ),
    );
  } catch (err) {
    results.replaceChildren(errorBox(err) ?? "");
  }
}

function matchLink(c: Customer): HTMLElement {
  return h(
    "a",
    { href: `#/customer/${encodeURIComponent(c.customerId)}` },
    h("strong", {}, c.customerName || c.customerId),
    h("span", { class: "muted" }, ` ${c.customerId} · ${c.region} · ${c.customerType}`),
  );
}

function open(id: string): void {
  window.location.hash = `#/customer/${encodeURIComponent(id)}`;
}

function showCustomer(id: string, detail: HTMLElement): void {
  const profile = slot("wide");
  const segment = slot("half");
  const recs = slot("half");
  const portfolio = slot("wide");
  const value = slot("half");
  detail.replaceChildren(profile, segment, value, recs, portfolio);
  void fill(profile, "the customer", async () => {
    const res = await api.customers.getCustomer({ customerId: id });
    const c = res.customer;
    const sum = res.summary;
    if (c === undefined || sum === undefined) throw new Error("the answer had no customer");
    return card(
      c.customerName || c.customerId,
      [
        h(
          "p",
          { class: "badges" },
          badge(c.customerId, "muted"),
          badge(label(c.customerType || "unknown type"), "info"),
          badge(c.region || "no region", "info"),
          badge(label(c.status || "unknown"), c.status === "active" ? "good" : "warn"),
          c.registrationDate === ""
            ? null
            : h("span", { class: "muted" }, ` Registered ${c.registrationDate}`),
        ),
        h(
          "div",
          { class: "tiles" },
          tile("Active products", count(sum.activeProducts), `as of ${sum.asOf}`),
          tile("Products ever held", count(sum.totalProducts)),
          tile("Relationships", count(sum.relationships)),
          tile(
            "Total value",
            money(sum.totalValue),
            sum.firstStartDate === "" ? undefined : `since ${sum.firstStartDate}`,
          ),
        ),
        metaLine(res.meta),
      ],
      { testid: "customer-profile" },
    );
  });
  void fill(segment, "the segment", () => segmentCard(id));
  void fill(value, "the value", () => valueCard(id));
  void fill(portfolio, "the portfolio", async () => {
    const { element, names } = await portfolioCard(
      id,
      downloadControl("holdings", () => ({
        table: "customer_products",
        filters: [{ column: "customer_id", values: [id] }],
      })),
    );
    void fill(recs, "recommendations", () =>
      recommendationsCard(
        id,
        names,
        downloadControl("recommendations", () => ({
          table: "recommendations",
          filters: [{ column: "customer_id", values: [id] }],
        })),
      ),
    );
    return element;
  });
}

import { Code, ConnectError } from "@connectrpc/connect";
import type { Customer } from "../../../../gen/customeranalytics/v1/customer_pb.js";
import type { Holding } from "../../../../gen/customeranalytics/v1/portfolio_pb.js";
import { api } from "../client.js";
import { h } from "../dom.js";
import { inWords } from "../errors.js";
import { money } from "../format.js";
import { card } from "../ui.js";

/** The customer fields a person may edit, with their labels. */
const FIELDS = [
  ["customerName", "Name"],
  ["customerType", "Type"],
  ["region", "Region"],
  ["status", "Status"],
  ["registrationDate", "Registered (YYYY-MM-DD)"],
] as const;

/** A proto field name for the update mask (`customerName` → `customer_name`). */
const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * A write's failure in words; a refused or missing key asks for a writer key, since reads may
 * work with a reader key that cannot write.
 */
function writeError(err: unknown): string {
  const code = ConnectError.from(err).code;
  if (code === Code.PermissionDenied || code === Code.Unauthenticated) {
    return `Editing needs a writer key: enter one in the key field at the top right. (${ConnectError.from(err).rawMessage})`;
  }
  if (code === Code.Aborted) {
    return `Someone changed this since it was shown; it was reloaded, try again. (${ConnectError.from(err).rawMessage})`;
  }
  return inWords(err);
}

/** Runs a write, then `done` (a reload), or shows why it failed in `status`. */
async function write(status: HTMLElement, run: () => Promise<unknown>, done: () => void) {
  status.replaceChildren(h("span", { class: "loading" }, "Saving…"));
  try {
    await run();
    done();
  } catch (err) {
    const aborted = ConnectError.from(err).code === Code.Aborted;
    status.replaceChildren(h("div", { class: "error", role: "alert" }, writeError(err)));
    if (aborted) setTimeout(done, 1500);
  }
}

/**
 * The Edit card of the customer page: the customer's fields (saved with the etag they were
 * shown with, only those changed), its holdings with End (today) and Delete (after a
 * confirmation), and a form to add a holding. Every write shows at once: `reload` redraws the
 * page from fresh reads, which include the write until the next sync.
 */
export async function editCard(customer: Customer, reload: () => void): Promise<HTMLElement> {
  const id = customer.customerId;
  const status = h("div", { class: "edit-status", "data-testid": "edit-status" });
  const inputs = FIELDS.map(([field, text]) => {
    const input = h("input", { name: field, value: customer[field], "aria-label": text });
    return { field, input, row: h("label", { class: "edit-field" }, text, input) };
  });
  const form = h(
    "form",
    { class: "edit-form", "data-testid": "edit-customer" },
    inputs.map((i) => i.row),
    h("button", { type: "submit", class: "primary" }, "Save"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const changed = inputs.filter((i) => i.input.value.trim() !== customer[i.field]);
    if (changed.length === 0) return;
    const values = Object.fromEntries(changed.map((i) => [i.field, i.input.value.trim()]));
    void write(
      status,
      () =>
        api.customers.updateCustomer({
          customer: { customerId: id, etag: customer.etag, ...values },
          updateMask: { paths: changed.map((i) => snake(i.field)) },
        }),
      reload,
    );
  });
  const portfolio = await api.portfolio.getCustomerPortfolio({ customerId: id, pageSize: 50 });
  const today = new Date().toISOString().slice(0, 10);
  const rows = portfolio.holdings.map((holding: Holding) =>
    h(
      "tr",
      { "data-testid": `holding-${holding.relationshipId}` },
      h("td", {}, holding.relationshipId),
      h("td", {}, holding.productName || holding.productId),
      h("td", {}, holding.startDate),
      h("td", {}, holding.endDate || "open"),
      h("td", { class: "num" }, money(holding.value)),
      h(
        "td",
        {},
        holding.endDate === ""
          ? h(
              "button",
              {
                type: "button",
                onclick: () =>
                  void write(
                    status,
                    () =>
                      api.portfolio.updateHolding({
                        customerId: id,
                        holding: {
                          relationshipId: holding.relationshipId,
                          endDate: today,
                          etag: holding.etag,
                        },
                        updateMask: { paths: ["end_date"] },
                      }),
                    reload,
                  ),
              },
              "End today",
            )
          : null,
        h(
          "button",
          {
            type: "button",
            class: "danger",
            onclick: () => {
              if (
                !window.confirm(`Delete holding ${holding.relationshipId}? This cannot be undone.`)
              ) {
                return;
              }
              void write(
                status,
                () =>
                  api.portfolio.deleteHolding({
                    relationshipId: holding.relationshipId,
                    etag: holding.etag,
                  }),
                reload,
              );
            },
          },
          "Delete",
        ),
      ),
    ),
  );
  const add = {
    relationshipId: h("input", {
      name: "relationshipId",
      placeholder: "relationship id",
      "aria-label": "Relationship id",
    }),
    productId: h("input", {
      name: "productId",
      placeholder: "product id",
      "aria-label": "Product id",
    }),
    relationshipType: h("input", {
      name: "relationshipType",
      value: "purchase",
      "aria-label": "Relationship type",
    }),
    startDate: h("input", { name: "startDate", value: today, "aria-label": "Start date" }),
    value: h("input", { name: "value", placeholder: "0.00", "aria-label": "Value" }),
  };
  const addForm = h(
    "form",
    { class: "edit-form", "data-testid": "add-holding" },
    Object.values(add),
    h("button", { type: "submit" }, "Add holding"),
  );
  addForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const holding = Object.fromEntries(
      Object.entries(add).map(([field, input]) => [field, input.value.trim()]),
    );
    void write(status, () => api.portfolio.createHolding({ customerId: id, holding }), reload);
  });
  return card(
    "Edit",
    [
      form,
      h(
        "table",
        { class: "holdings-edit" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["Id", "Product", "Start", "End", "Value", ""].map((t) => h("th", {}, t)),
          ),
        ),
        h("tbody", {}, rows),
      ),
      portfolio.nextPageToken === ""
        ? null
        : h("p", { class: "hint" }, "The 50 newest holdings are shown."),
      addForm,
      status,
    ],
    { wide: true, testid: "customer-edit" },
  );
}

import { timestampDate } from "@bufbuild/protobuf/wkt";
import { api, apiKey } from "./client.js";
import { h, s } from "./dom.js";
import { inWords } from "./errors.js";
import { age } from "./format.js";
import { keyInput } from "./key-input.js";
import { customerPage } from "./pages/customer.js";
import { explorePage } from "./pages/explore.js";
import { overviewPage } from "./pages/overview.js";
import { segmentsPage } from "./pages/segments.js";
import { syncPage } from "./pages/sync.js";
import { trendsPage } from "./pages/trends.js";
import { valuePage } from "./pages/value.js";
import { newPage } from "./ui.js";

type Page = (root: HTMLElement, signal: AbortSignal, arg: string | undefined) => void;

const PAGES: readonly (readonly [string, string, Page])[] = [
  ["overview", "Overview", overviewPage],
  ["customer", "Customer", customerPage],
  ["trends", "Trends", trendsPage],
  ["segments", "Segments", segmentsPage],
  ["value", "Value", valuePage],
  ["explore", "Explore", explorePage],
  ["sync", "Sync", syncPage],
];

const main = h("main", { id: "page" });
const nav = h("nav", { "aria-label": "Pages" });
const freshness = h("a", { class: "freshness", href: "#/sync", "data-testid": "freshness" }, "…");
let leave = new AbortController();

/**
 * Shows the page the URL names (`#/<page>/<arg>`): the previous page's streams and timers stop
 * (its signal aborts), the new page renders into the main area.
 */
function route(): void {
  const [name = "overview", arg] = window.location.hash.replace(/^#\/?/, "").split("/");
  const page = PAGES.find(([key]) => key === name) ?? PAGES[0];
  if (page === undefined) return;
  leave.abort();
  leave = new AbortController();
  newPage();
  for (const link of nav.querySelectorAll("a")) {
    link.classList.toggle("on", link.dataset.page === page[0]);
  }
  document.title = `${page[1]} · Customer analytics`;
  page[2](
    main,
    leave.signal,
    arg === undefined || arg === "" ? undefined : decodeURIComponent(arg),
  );
}

/** The header's freshness pill: the live snapshot's age, refreshed every 15 seconds. */
async function updateFreshness(): Promise<void> {
  try {
    const res = await api.sync.getSyncStatus({});
    const asOf = res.liveSnapshot?.dataAsOf;
    freshness.classList.remove("bad");
    freshness.textContent =
      asOf === undefined
        ? "No snapshot yet"
        : `Data ${age(Date.now() - timestampDate(asOf).getTime())} old`;
    freshness.title = asOf === undefined ? "" : `Snapshot ${res.liveSnapshot?.snapshotId ?? ""}`;
  } catch (err) {
    freshness.classList.add("bad");
    freshness.textContent = "Status unknown";
    freshness.title = inWords(err);
  }
}

function keyField(): HTMLElement {
  const input = keyInput("API key", "api-key");
  apiKey.onChange((key) => {
    if (input.value !== key) input.value = key;
  });
  return h(
    "label",
    {
      class: "key",
      title: "Sent as Authorization: Bearer with every call; kept for this tab only",
    },
    keyIcon(),
    input,
  );
}

function keyIcon(): SVGSVGElement {
  return s(
    "svg",
    { viewBox: "0 0 24 24", class: "key-icon", "aria-hidden": "true" },
    s("circle", { cx: 8, cy: 12, r: 4 }),
    s("path", { d: "M12 12h9M18 12v3M21 12v2" }),
  );
}

nav.append(...PAGES.map(([key, text]) => h("a", { href: `#/${key}`, "data-page": key }, text)));
document.body.replaceChildren(
  h(
    "header",
    { class: "top" },
    h(
      "a",
      { class: "brand", href: "#/overview" },
      h("span", { class: "logo", "aria-hidden": "true" }, "◆"),
      "Customer analytics",
    ),
    nav,
    h("div", { class: "top-right" }, freshness, keyField()),
  ),
  main,
);
window.addEventListener("hashchange", route);
route();
void updateFreshness();
setInterval(() => void updateFreshness(), 15_000);

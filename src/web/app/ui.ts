import type { ResultMeta } from "../../../gen/customeranalytics/v1/common_pb.js";
import { DataSource } from "../../../gen/customeranalytics/v1/common_pb.js";
import { type Child, h } from "./dom.js";
import { inWords, isCancel, sameErrorKey } from "./errors.js";
import { age, durationMs, when } from "./format.js";

/** A titled panel; `actions` sit at the right of the title (downloads, switches). */
export function card(
  title: string,
  body: Child,
  options: { actions?: Child; testid?: string; wide?: boolean } = {},
): HTMLElement {
  return h(
    "section",
    { class: options.wide === true ? "card wide" : "card", "data-testid": options.testid },
    h(
      "header",
      { class: "card-head" },
      h("h2", {}, title),
      h("div", { class: "actions" }, options.actions),
    ),
    body,
  );
}

/**
 * Where an answer came from and how fresh it is, under every answer: the snapshot (its id) or
 * the live source, the moment its data was true, and its age; a stale fallback says why.
 */
export function metaLine(meta: ResultMeta | undefined): HTMLElement {
  if (meta === undefined) return h("p", { class: "meta" }, "Source not reported");
  const live = meta.source === DataSource.LIVE;
  const from = live ? "Live from the source" : `Snapshot ${meta.snapshotId}`;
  const parts = [from, `data as of ${when(meta.dataAsOf)}`, `${age(durationMs(meta.age))} old`];
  return h(
    "p",
    { class: meta.staleFallback ? "meta stale" : "meta", "data-testid": "result-meta" },
    h("span", { class: live ? "dot live" : "dot" }),
    h("span", {}, parts.join(" · ")),
    meta.staleFallback ? h("strong", {}, ` — older than asked: ${meta.fallbackReason}`) : null,
  );
}

/** An error in words, in a box a person will notice; cancellations are not errors. */
export function errorBox(err: unknown): HTMLElement | null {
  if (isCancel(err)) return null;
  return h("div", { class: "error", role: "alert" }, inWords(err));
}

/** A placeholder while an answer is on its way. */
export function loading(what: string): HTMLElement {
  return h("p", { class: "loading" }, h("span", { class: "spinner" }), `Loading ${what}…`);
}

/**
 * Shows a page: its title and one-line lede over `body`. Every page opens the same way, so the
 * head is built here once and the pages differ only in their words and their sections.
 */
export function showPage(root: HTMLElement, title: string, lede: string, ...body: Node[]): void {
  root.replaceChildren(
    h("div", { class: "page-head" }, h("h1", {}, title), h("p", { class: "lede" }, lede)),
    ...body,
  );
}

/** How much of the grid a page section spans: half of a row, or all of it. */
export type SlotWidth = "half" | "wide";

/**
 * Shows a page whose sections sit in one grid under its head (and under `above`, such as
 * controls), and returns the empty sections, in the order of `widths`, for {@link fill} to
 * fill. Most pages are laid out this way, so the head and the grid are built here once.
 */
export function showGridPage<const W extends readonly SlotWidth[]>(
  root: HTMLElement,
  title: string,
  lede: string,
  widths: W,
  ...above: Node[]
): { -readonly [K in keyof W]: HTMLElement } {
  const slots = widths.map(slot);
  showPage(root, title, lede, ...above, h("div", { class: "grid" }, slots));
  return slots as { -readonly [K in keyof W]: HTMLElement };
}

/** An empty page section of `width`, for {@link fill}; the grid's layout keys on its classes. */
export function slot(width: SlotWidth): HTMLElement {
  return h("div", { class: width === "wide" ? "slot wide" : "slot" });
}

/**
 * A table with its column heads, in the scrolling wrapper every page's tables sit in (a tall
 * one scrolls sooner); `note`, when given, sits under the table inside the same wrapper.
 */
export function dataTable(
  heads: readonly string[],
  rows: Child,
  options: { testid?: string; tall?: boolean; note?: Child } = {},
): HTMLElement {
  return h(
    "div",
    { class: options.tall === true ? "table-wrap tall" : "table-wrap" },
    h(
      "table",
      { "data-testid": options.testid },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          heads.map((t) => h("th", {}, t)),
        ),
      ),
      h("tbody", {}, rows),
    ),
    options.note,
  );
}

/** A chart or heat map in the frame every figure of a card sits in, named for tests by `testid`. */
export function figure(testid: string, content: Child): HTMLElement {
  return h("figure", { class: "figure", "data-testid": testid }, content);
}

/** A big number with its caption. */
export function tile(caption: string, value: string, note?: string): HTMLElement {
  return h(
    "div",
    { class: "tile" },
    h("div", { class: "tile-value" }, value),
    h("div", { class: "tile-caption" }, caption),
    note === undefined ? null : h("div", { class: "tile-note" }, note),
  );
}

/** A small coloured label. */
export function badge(text: string, tone: "good" | "warn" | "bad" | "info" | "muted"): HTMLElement {
  return h("span", { class: `badge ${tone}` }, text);
}

/** A set of buttons of which one is chosen (granularity, grouping, chart type). */
export function segmented<T extends string>(
  name: string,
  options: readonly (readonly [T, string])[],
  chosen: T,
  onChoose: (value: T) => void,
): HTMLElement {
  const buttons = options.map(([value, text]) =>
    h(
      "button",
      {
        type: "button",
        class: value === chosen ? "seg on" : "seg",
        "aria-pressed": value === chosen ? "true" : "false",
        "data-value": value,
        onclick: () => onChoose(value),
      },
      text,
    ),
  );
  return h(
    "div",
    { class: "segmented", role: "group", "aria-label": name, "data-testid": name },
    buttons,
  );
}

/**
 * Runs `load` and puts its result (or the error, in words) into `slot`, with a placeholder
 * meanwhile. Every page section is filled this way, so no error is ever swallowed; an error
 * another section of the page already shows (no snapshot yet, a missing key) is shown once.
 */
export async function fill(
  slot: HTMLElement,
  what: string,
  load: () => Promise<Child>,
): Promise<void> {
  const shown = pageErrors;
  slot.replaceChildren(loading(what));
  try {
    const content = await load();
    slot.replaceChildren();
    appendChild(slot, content);
  } catch (err) {
    slot.replaceChildren();
    const box = errorBox(err);
    const key = sameErrorKey(err);
    if (box !== null && !shown.has(key)) {
      shown.add(key);
      slot.append(box);
    }
  }
}

/** The errors the current page already shows: one box says it, however many sections failed. */
let pageErrors = new Set<string>();

/**
 * Starts a new page for {@link fill}: its sections show their errors afresh. The router calls
 * it on every page change, so an error seen on one page is shown again on the next.
 */
export function newPage(): void {
  pageErrors = new Set();
}

function appendChild(slot: HTMLElement, content: Child): void {
  slot.append(h("div", { class: "fill" }, content));
}

import { timestampDate } from "@bufbuild/protobuf/wkt";
import {
  type GetSyncStatusResponse,
  SyncPhase,
  type SyncProgress,
  type SyncRun,
  SyncState,
} from "../../../../gen/customeranalytics/v1/sync_pb.js";
import { api, apiKey } from "../client.js";
import { h } from "../dom.js";
import { isCancel } from "../errors.js";
import { age, count, label, when } from "../format.js";
import { keyInput } from "../key-input.js";
import { badge, card, dataTable, errorBox, fill, showGridPage, tile } from "../ui.js";

const STATE_TONE: ReadonlyMap<SyncState, "good" | "warn" | "bad" | "info" | "muted"> = new Map([
  [SyncState.RUNNING, "info"],
  [SyncState.SUCCEEDED, "good"],
  [SyncState.FAILED, "bad"],
  [SyncState.SKIPPED, "muted"],
]);

/**
 * The Sync page: the live snapshot and how old its data is (ticking), the last runs, the
 * snapshots this process has served, and a Sync now button (admin key) with a progress bar fed
 * by WatchSync while a sync runs.
 */
export function syncPage(root: HTMLElement, signal: AbortSignal): void {
  const [status, control, history] = showGridPage(
    root,
    "Sync",
    "Where the answers come from, how fresh they are, and a way to refresh them.",
    ["half", "half", "wide"],
  );
  const refresh = () => {
    void fill(status, "the sync status", () => statusCard(signal));
    void fill(history, "the snapshots", snapshotsCard);
  };
  control.append(controlCard(signal, refresh));
  refresh();
}

async function statusCard(signal: AbortSignal): Promise<HTMLElement> {
  const res: GetSyncStatusResponse = await api.sync.getSyncStatus({});
  const live = res.liveSnapshot;
  const old = h("span", { "data-testid": "snapshot-age" });
  const tick = () => {
    if (live?.dataAsOf !== undefined)
      old.textContent = age(Date.now() - timestampDate(live.dataAsOf).getTime());
  };
  tick();
  const timer = setInterval(tick, 1000);
  signal.addEventListener("abort", () => clearInterval(timer), { once: true });
  const body =
    live === undefined
      ? h("p", { class: "hint" }, "No snapshot is loaded yet: the first sync has not finished.")
      : [
          h(
            "div",
            { class: "tiles" },
            tile("Data age", "", "since the data was true at the source"),
            tile("Source", res.source),
          ),
          h(
            "dl",
            { class: "facts" },
            h("dt", {}, "Live snapshot"),
            h("dd", { "data-testid": "live-snapshot" }, live.snapshotId),
            h("dt", {}, "Data as of"),
            h("dd", {}, when(live.dataAsOf)),
            h("dt", {}, "Built"),
            h("dd", {}, when(live.finishedAt)),
            h("dt", {}, "Next scheduled sync"),
            h(
              "dd",
              {},
              res.nextRunAt === undefined
                ? "none scheduled (SYNC_CRON is not set)"
                : when(res.nextRunAt),
            ),
            h("dt", {}, "Tables"),
            h(
              "dd",
              {},
              live.tables
                .filter((t) => ["customers", "products", "customer_products"].includes(t.table))
                .map((t) => `${t.table} ${count(t.rows)}`)
                .join(" · "),
            ),
          ),
          res.lastRun === undefined ? null : runLine("Last run", res.lastRun),
          res.lastFailedRun === undefined ? null : runLine("Last failure", res.lastFailedRun),
        ];
  const element = card("Live snapshot", body, { testid: "status-card" });
  element.querySelector(".tile-value")?.replaceChildren(old);
  return element;
}

function runLine(title: string, run: SyncRun): HTMLElement {
  const took =
    run.startedAt !== undefined && run.finishedAt !== undefined
      ? ` in ${age(timestampDate(run.finishedAt).getTime() - timestampDate(run.startedAt).getTime())}`
      : "";
  return h(
    "p",
    { class: "run" },
    h("strong", {}, `${title}: `),
    badge(label(SyncState[run.state].toLowerCase()), STATE_TONE.get(run.state) ?? "muted"),
    ` ${run.trigger}, ${when(run.startedAt)}${took}`,
    run.message === "" ? null : h("div", { class: "muted" }, run.message),
  );
}

function controlCard(signal: AbortSignal, refresh: () => void): HTMLElement {
  const key = keyInput("Admin key", "admin-key");
  const force = h("input", { type: "checkbox", "data-testid": "force" });
  const allowShrink = h("input", { type: "checkbox", "data-testid": "allow-shrink" });
  const button = h(
    "button",
    { type: "button", class: "primary", "data-testid": "sync-now" },
    "Sync now",
  );
  const fillBar = h("div", { class: "progress-fill" });
  const bar = h(
    "div",
    {
      class: "progress",
      role: "progressbar",
      "aria-valuemin": 0,
      "aria-valuemax": 100,
      "aria-valuenow": 0,
      "aria-label": "Sync progress",
      "data-testid": "sync-progress",
      "data-updates": 0,
    },
    fillBar,
  );
  const caption = h(
    "p",
    { class: "caption", "aria-live": "polite", "data-testid": "sync-caption" },
    "Waiting for progress…",
  );
  const message = h("div", {});
  button.addEventListener("click", () => {
    apiKey.set(key.value.trim());
    button.disabled = true;
    message.replaceChildren();
    api.sync
      .triggerSync({ force: force.checked, allowShrink: allowShrink.checked })
      .then((res) =>
        message.replaceChildren(
          h(
            "p",
            { class: "muted" },
            res.joined
              ? `Joined the sync already running (${res.run?.runId ?? ""}).`
              : `Started sync ${res.run?.runId ?? ""}.`,
          ),
        ),
      )
      .catch((err: unknown) => message.replaceChildren(errorBox(err) ?? ""))
      .finally(() => {
        button.disabled = false;
      });
  });
  let updates = 0;
  let wasRunning = false;
  const show = (p: SyncProgress) => {
    const pct = Math.round(p.fractionDone * 100);
    updates++;
    bar.setAttribute("aria-valuenow", String(pct));
    bar.setAttribute("data-updates", String(updates));
    bar.setAttribute("data-state", SyncState[p.state].toLowerCase());
    fillBar.style.width = `${pct}%`;
    fillBar.classList.toggle("failed", p.state === SyncState.FAILED);
    caption.replaceChildren(progressText(p, pct));
    if (p.state === SyncState.RUNNING) wasRunning = true;
    else if (wasRunning) {
      wasRunning = false;
      refresh();
    }
  };
  void watch(signal, show, caption);
  return card(
    "Sync now",
    [
      h(
        "p",
        { class: "muted" },
        "Starting a sync is an admin action: enter an admin key when the service asks for one. The key is kept for this tab only and sent with every call.",
      ),
      h(
        "div",
        { class: "row" },
        key,
        h("label", { class: "check" }, force, " Rebuild even if nothing changed"),
        h("label", { class: "check" }, allowShrink, " Accept a source that shrank or emptied"),
        button,
      ),
      message,
      bar,
      caption,
    ],
    { testid: "sync-card" },
  );
}

function progressText(p: SyncProgress, pct: number): string {
  if (p.state === SyncState.UNSPECIFIED) return "No sync has run in this process yet.";
  const phase = label(SyncPhase[p.phase].toLowerCase());
  const rows = p.totalRows > 0n ? ` · ${count(p.rows)} of ${count(p.totalRows)} rows` : "";
  const table = p.table === "" ? "" : ` · ${p.table}`;
  const state = label(SyncState[p.state].toLowerCase());
  return `${state} · ${phase}${table}${rows} · ${pct}%${p.message === "" ? "" : ` · ${p.message}`}`;
}

/** Follows WatchSync until the page is left; reconnects after a pause if the stream breaks. */
async function watch(
  signal: AbortSignal,
  show: (p: SyncProgress) => void,
  caption: HTMLElement,
): Promise<void> {
  while (!signal.aborted) {
    try {
      for await (const res of api.sync.watchSync({}, { signal })) {
        if (res.progress !== undefined) show(res.progress);
      }
    } catch (err) {
      if (signal.aborted || isCancel(err)) return;
      caption.replaceChildren(errorBox(err) ?? "");
    }
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
}

async function snapshotsCard(): Promise<HTMLElement> {
  const res = await api.sync.listSnapshots({});
  const rows = res.snapshots.map((x) =>
    h(
      "tr",
      {},
      h("td", {}, x.snapshot?.snapshotId ?? ""),
      h("td", {}, x.live ? badge("live", "good") : badge("retired", "muted")),
      h("td", {}, when(x.snapshot?.dataAsOf)),
      h("td", {}, when(x.snapshot?.finishedAt)),
      h("td", {}, x.retiredAt === undefined ? "—" : when(x.retiredAt)),
    ),
  );
  return card(
    "Snapshots",
    dataTable(["Snapshot", "", "Data as of", "Built", "Retired"], rows, {
      testid: "snapshots-table",
    }),
    { testid: "snapshots-card", wide: true },
  );
}

/**
 * Renders a {@link BenchReport} as the Markdown report: targets first, then every figure.
 *
 * @module
 */
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchReport } from "./bench-report.js";
import type { JobResult } from "./load-client.js";
import { renderPublication } from "./publication-bench.js";
import { renderWrites } from "./render-writes.js";
import { FRAMEWORK_FLOOR, RPC_NAMES, TRANSPORT_FLOOR } from "./rpc-cases.js";

/** How the floors' rows are labelled in the RPC table. */
const FLOOR_LABELS: Readonly<Record<string, string>> = {
  [TRANSPORT_FLOOR]: "BareHttp2 (node:http2, fixed answer)",
  [FRAMEWORK_FLOOR]: "BareConnect (connect-node, nothing else)",
};

import { grpcJob, LOOKUPS, mib, ms, seconds } from "./targets.js";

const table = (head: readonly string[], rows: readonly (readonly string[])[]): string[] => [
  `| ${head.join(" | ")} |`,
  `|${head.map(() => "---").join("|")}|`,
  ...rows.map((row) => `| ${row.join(" | ")} |`),
];

const int = (n: number): string => Math.round(n).toLocaleString("en-US");

/** CPU in % of one core, whole. */
const percent = (value: number | null | undefined): string =>
  value === null || value === undefined || !Number.isFinite(value) ? "—" : `${Math.round(value)}%`;

const verdict = (met: boolean | undefined): string =>
  met === undefined ? "not measured" : met ? "**met**" : "**missed**";

function jobRow(job: JobResult): string[] {
  const l = job.latency;
  const status =
    job.status === "ok"
      ? job.errors > 0
        ? `${job.errors} errors: ${job.firstError.slice(0, 80)}`
        : ""
      : `${job.status}: ${job.firstError.slice(0, 80)}`;
  const measured = job.status === "ok";
  return [
    FLOOR_LABELS[job.rpc] ?? job.rpc,
    job.protocol === "grpc" ? "gRPC h2c" : "Connect JSON h1",
    String(job.concurrency),
    int(l.count),
    ms(l.p50),
    ms(l.p95),
    ms(l.p99),
    ms(l.max),
    measured ? int(l.rps) : "—",
    measured ? percent(job.cpu.clientPercent) : "—",
    measured ? percent(job.cpu.serverPercent) : "—",
    status,
  ];
}

/** The whole report as Markdown. */
export function renderMarkdown(r: BenchReport): string {
  const m = r.machine;
  const lines: string[] = [
    `# customer-analytics benchmark: ${r.scale} scale`,
    "",
    `Command: \`${r.command}\` (seed ${r.seed}, service LOG_LEVEL=${r.logLevel}), started ${r.startedAt}, ` +
      `took ${seconds(r.totalMs)}.`,
    "",
    `Machine: ${m.cores} × ${m.cpuModel}, ${mib(m.memoryBytes)} memory, ${m.os}; load average ` +
      `${m.loadAverageAtStart.map((x) => x.toFixed(2)).join(" ")} at start, ` +
      `${r.loadAverageAtEnd.map((x) => x.toFixed(2)).join(" ")} at end. Node ${m.node}, DuckDB ${m.duckdb}, ` +
      Object.entries(m.packages)
        .map(([name, v]) => `${name} ${v}`)
        .join(", "),
    "",
    `Data: ${int(r.dataset.customers)} customers, ${int(r.dataset.products)} products, ` +
      `${int(r.dataset.relationships)} relationships in \`${projectPath(r.dataset.dir)}\` ` +
      (r.dataset.reused ? "(reused)." : `(generated in ${seconds(r.dataset.generateMs)}).`),
    "",
    "## Targets",
    "",
    r.scale === "large"
      ? "Issue 5's targets, then issue 13's (answers from memory), at the scale they are stated for."
      : "Issue 5's and issue 13's targets are stated for the large scale; at this scale they are shown for reference only.",
    "",
    ...table(
      ["target", "measured", "limit", "verdict"],
      r.targets.map((t) => [t.target, t.measured, t.limit, verdict(t.met)]),
    ),
    "",
    "## Sync",
    "",
    `The emulator (a child process holding the Parquet in DuckDB) started in ${seconds(r.emulator.startMs)}, ` +
      `peak RSS ${mib(r.emulator.peakRssBytes)}. Each sync is a service process started on an empty data ` +
      "directory; the run time is GetSyncStatus's startedAt→finishedAt, the peak RSS the process's VmHWM.",
    "",
    ...table(
      ["sync", "state", "run", "spawn→ready", "base rows/s", "peak RSS"],
      r.syncs.map((s) => [
        s.label,
        s.state.replace("SYNC_STATE_", "").toLowerCase() +
          (s.message === "" ? "" : `: ${s.message.slice(0, 120)}`),
        seconds(s.runMs),
        seconds(s.spawnToReadyMs),
        int(s.rowsPerSecond),
        mib(s.peakRssBytes),
      ]),
    ),
    "",
    "Per-table load and build times:",
    "",
    ...table(
      ["table", "rows", ...r.syncs.map((s) => s.label)],
      (r.syncs[0]?.tables ?? []).map((t) => [
        t.table,
        int(t.rows),
        ...r.syncs.map((s) => ms(s.tables.find((x) => x.table === t.table)?.durationMs)),
      ]),
    ),
    "",
    "## Restart to ready",
    "",
    r.restart === undefined
      ? "Not measured."
      : `Spawn to /readyz 200 with the snapshot on disk: ${r.restart.readyMs.map(ms).join(", ")} ` +
        `(median ${ms(r.restart.medianMs)}); the start-up source check that followed: ` +
        `${r.restart.startupSyncState.replace("SYNC_STATE_", "").toLowerCase()}. ` +
        (r.restart.indexBuildMs === undefined
          ? "The in-memory customer index was not reported built within 5 minutes."
          : `The in-memory customer index was built ${ms(r.restart.indexBuildMs)} after readiness ` +
            "(lookups are answered by SQL until then); the RPC measurements began once it was built."),
    "",
    "## In-memory structures",
    "",
    "What the serving process keeps in memory per snapshot, built one after another once it " +
      "is live (SQL answers each RPC until its structure is built), as GetSyncStatus reports them; " +
      `the last was built ${seconds(r.memory.builtAfterReadyMs)} after /readyz answered 200. ` +
      `The serving process peaked at ${mib(r.servingPeakRssBytes)} RSS.`,
    "",
    ...table(
      ["structure", "state", "build", "memory"],
      r.memory.structures.map((s) => [
        s.name,
        s.state,
        ms(s.buildMs),
        s.bytes < 10 * 1024 ** 2 ? `${(s.bytes / 1024 ** 2).toFixed(1)} MiB` : mib(s.bytes),
      ]),
    ),
    "",
    "## RPC latency and throughput",
    "",
    "Closed loop from a separate client process, requests drawn from seeded ids, warm-up excluded; " +
      "bounded by count and time per row. The client is kept lean because it shares the machine's " +
      `${m.cores} cores with the server: gRPC straight on node:http2 (one session per row) and ` +
      "Connect JSON on node:http with a keep-alive agent, each distinct request encoded once, answers " +
      "checked (status, one well-formed message) but only the first of each row decoded. " +
      "HealthCheck (grpc.health.v1, no query) is the ceiling of the service's transport (Connect " +
      "server, HTTP/2, protobuf). **BareHttp2** is the same client against a bare node:http2 server " +
      "in its own process that answers every call with a fixed message: it is the ceiling of Node's " +
      "HTTP/2 plus this client on this machine, so no RPC can be faster. **BareConnect** is " +
      "connect-node with only HealthCheck registered and nothing of the service around it (no " +
      "interceptors, body guard, routes, log or metrics): between it and HealthCheck is what the " +
      "service adds per call. *client CPU* and *server " +
      "CPU* are each process's CPU time over the measured window in % of one core (all threads, so " +
      "it can pass 100%): the one near 100% is the bottleneck. In a closed loop, callers / " +
      "throughput = mean latency, so a p99 of 5 ms at 64 callers needs more than 12,800 req/s.",
    "",
    ...table(
      [
        "RPC",
        "protocol",
        "callers",
        "n",
        "p50",
        "p95",
        "p99",
        "max",
        "req/s",
        "client CPU",
        "server CPU",
        "notes",
      ],
      r.rpc.map(jobRow),
    ),
    "",
    "## The floor",
    "",
    "The same statements with the same bound values (recorded from the query layer), prepared once " +
      "on a read-only connection to the snapshot file, one caller. *execute* is statement to " +
      "materialised result; *convert* is the rows' conversion to objects, which the service also does.",
    "",
    ...table(
      [
        "RPC",
        "statements",
        "execute p50",
        "execute p99",
        "convert p50",
        "service p50 (1 caller)",
        "service / execute",
      ],
      RPC_NAMES.map((name) => {
        const f = r.floor.find((x) => x.rpc === name);
        const s = grpcJob(r.rpc, name, 1);
        const ratio =
          f?.status === "ok" && s?.status === "ok" ? s.latency.p50 / f.execute.p50 : Number.NaN;
        return [
          LOOKUPS.includes(name) ? `**${name}**` : name,
          f === undefined ? "—" : f.statementsPerRequest.toFixed(1),
          f?.status === "ok" ? ms(f.execute.p50) : `failed: ${f?.error.slice(0, 60) ?? "not run"}`,
          ms(f?.execute.p99),
          ms(f?.convert.p50),
          s?.status === "ok" ? ms(s.latency.p50) : "—",
          Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : "—",
        ];
      }),
    ),
    "",
    "Throughput of DuckDB alone, four connections replaying in parallel (the service keeps four per " +
      "snapshot), against the service's best over gRPC:",
    "",
    ...table(
      ["RPC", "floor req/s (4 connections)", "floor p50", "service best req/s"],
      r.floorThroughput.map((f) => {
        const best = Math.max(
          0,
          ...r.rpc
            .filter((j) => j.rpc === f.rpc && j.protocol === "grpc" && j.status === "ok")
            .map((j) => j.latency.rps),
        );
        return [f.rpc, int(f.latency.rps), ms(f.latency.p50), int(best)];
      }),
    ),
    "",
    "## The live path",
    "",
    "The same questions with read_options.freshness = LIVE_REQUIRED, answered by the emulator through " +
      "the real driver (service with SOURCE=snowflake), against the cached answer (1 caller).",
    "",
    ...table(
      ["RPC", "callers", "n", "p50", "p99", "req/s", "cached p50", "live / cached"],
      r.live.map((j) => {
        const cached = grpcJob(r.rpc, j.rpc, 1);
        const ratio = cached?.status === "ok" ? j.latency.p50 / cached.latency.p50 : Number.NaN;
        return [
          j.rpc,
          String(j.concurrency),
          int(j.latency.count),
          ms(j.latency.p50),
          ms(j.latency.p99),
          j.status === "ok" ? int(j.latency.rps) : `${j.status}: ${j.firstError.slice(0, 60)}`,
          ms(cached?.latency.p50),
          Number.isFinite(ratio) ? `${Math.round(ratio)}×` : "—",
        ];
      }),
    ),
    "",
  ];
  lines.push(...renderWrites(r.writes));
  lines.push(...renderPublication(r.publication));
  if (r.notes.length > 0) lines.push("## Notes", "", ...r.notes.map((n) => `- ${n}`), "");
  return lines.join("\n");
}

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** A data directory as the report shows it: relative to the project, never a machine's path. */
function projectPath(dir: string): string {
  const rel = relative(ROOT, dir);
  return rel.startsWith("..") ? "a directory outside the project" : rel;
}

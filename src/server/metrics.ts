import type { Code } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { SyncRunRecord } from "../sync/sync-status.js";

/** Where an answer came from, as the answers counter labels it. */
export type AnswerSource = "snapshot" | "live" | "stale_fallback";

/** Live-query slots towards Snowflake, read at scrape time. */
export interface LiveQueryStats {
  readonly active: number;
  readonly waiting: number;
  readonly slots: number;
}

/** What the scrape-time gauges read. */
export interface MetricsSources {
  /** When the live snapshot's data was true; undefined when none is loaded. */
  readonly snapshotDataAsOf: () => Date | undefined;
  /** Live-query slot usage; undefined when the source cannot answer live. */
  readonly liveQueries?: () => LiveQueryStats;
  /** The live snapshot's remembered answers: estimated bytes and count (bounded by MEMO_MAX_BYTES). */
  readonly memoUsage?: () => { bytes: number; entries: number };
}

const PREFIX = "customer_analytics_";

/** Latency buckets from a cached lookup (~1 ms) to a slow live query (tens of seconds). */
const RPC_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const SYNC_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

/**
 * The service's Prometheus metrics, in a registry of its own (never prom-client's global one,
 * so two services in one process, as in tests, do not collide). Labels are procedure names,
 * status codes, table names and fixed outcome words only: never a request value or a secret,
 * so cardinality is bounded by the API and nothing sensitive reaches a scrape.
 */
export class Metrics {
  /** The registry `/metrics` renders. */
  readonly registry = new Registry();
  readonly #rpcs: Counter<"procedure" | "code">;
  readonly #rpcSeconds: Histogram<"procedure" | "code">;
  readonly #answers: Counter<"source">;
  readonly #syncSeconds: Histogram<"outcome">;
  readonly #syncRuns: Counter<"outcome" | "trigger">;
  readonly #tableRows: Gauge<"table">;
  readonly #tableSeconds: Gauge<"table">;
  readonly #refused: Counter<"limit">;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#rpcs = new Counter({
      name: `${PREFIX}rpc_requests_total`,
      help: "RPCs handled, by procedure (/package.Service/Method) and gRPC status code.",
      labelNames: ["procedure", "code"],
      registers,
    });
    this.#rpcSeconds = new Histogram({
      name: `${PREFIX}rpc_duration_seconds`,
      help: "RPC latency until the response (for streams: until the headers), by procedure and code.",
      labelNames: ["procedure", "code"],
      buckets: RPC_BUCKETS,
      registers,
    });
    this.#answers = new Counter({
      name: `${PREFIX}answers_total`,
      help: "Read answers by where they came from: snapshot, live (Snowflake) or stale_fallback.",
      labelNames: ["source"],
      registers,
    });
    new Gauge({
      name: `${PREFIX}snapshot_age_seconds`,
      help: "Age of the live snapshot's data (now minus data_as_of); absent when none is loaded.",
      registers,
      collect() {
        this.reset();
        const asOf = sources.snapshotDataAsOf();
        if (asOf !== undefined) this.set((Date.now() - asOf.getTime()) / 1000);
      },
    });
    const memoUsage = sources.memoUsage;
    if (memoUsage !== undefined) {
      new Gauge({
        name: `${PREFIX}memo_bytes`,
        help: "Estimated heap bytes of the live snapshot's remembered answers (at most MEMO_MAX_BYTES).",
        registers,
        collect() {
          this.set(memoUsage().bytes);
        },
      });
      new Gauge({
        name: `${PREFIX}memo_entries`,
        help: "Remembered answers of the live snapshot.",
        registers,
        collect() {
          this.set(memoUsage().entries);
        },
      });
    }
    this.#syncSeconds = new Histogram({
      name: `${PREFIX}sync_duration_seconds`,
      help: "Duration of sync runs, by outcome (succeeded, failed, skipped).",
      labelNames: ["outcome"],
      buckets: SYNC_BUCKETS,
      registers,
    });
    this.#syncRuns = new Counter({
      name: `${PREFIX}sync_runs_total`,
      help: "Sync runs, by outcome and trigger (startup, schedule, request, retry, recovery).",
      labelNames: ["outcome", "trigger"],
      registers,
    });
    this.#tableRows = new Gauge({
      name: `${PREFIX}sync_table_rows`,
      help: "Rows of each table in the last successful sync.",
      labelNames: ["table"],
      registers,
    });
    this.#tableSeconds = new Gauge({
      name: `${PREFIX}sync_table_build_seconds`,
      help: "Time each table took to load or derive in the last successful sync.",
      labelNames: ["table"],
      registers,
    });
    this.#refused = new Counter({
      name: `${PREFIX}refused_total`,
      help: "Connections or calls refused because a limit was reached, by limit (MAX_CONNECTIONS, EXPORT_MAX_CONCURRENT, EXPORT_MAX_PER_CALLER).",
      labelNames: ["limit"],
      registers,
    });
    const live = sources.liveQueries;
    if (live !== undefined) liveGauges(registers, live);
  }

  /** Records one finished RPC; `code` undefined means OK. */
  rpc(procedure: string, code: Code | undefined, seconds: number): void {
    const labels = { procedure, code: codeName(code) };
    this.#rpcs.inc(labels);
    this.#rpcSeconds.observe(labels, seconds);
  }

  /** Records where one read answer came from. */
  answer(source: AnswerSource): void {
    this.#answers.inc({ source });
  }

  /** Records a finished sync run (the syncer's `onRunEnd`). */
  syncRun(run: SyncRunRecord): void {
    const outcome = run.state;
    this.#syncRuns.inc({ outcome, trigger: run.trigger });
    const end = run.finishedAt ?? new Date();
    this.#syncSeconds.observe({ outcome }, (end.getTime() - run.startedAt.getTime()) / 1000);
    if (outcome !== "succeeded") return;
    this.#tableRows.reset();
    this.#tableSeconds.reset();
    for (const table of run.tables) {
      this.#tableRows.set({ table: table.table }, table.rows);
      this.#tableSeconds.set({ table: table.table }, table.durationMs / 1000);
    }
  }

  /** Records a connection or call refused at `limit` (the setting's name). */
  refused(limit: string): void {
    this.#refused.inc({ limit });
  }

  /** The exposition text and its content type, for `GET /metrics`. */
  async render(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}

function liveGauges(registers: Registry[], stats: () => LiveQueryStats): void {
  const gauge = (name: string, help: string, read: (s: LiveQueryStats) => number) =>
    new Gauge({
      name: `${PREFIX}${name}`,
      help,
      registers,
      collect() {
        this.set(read(stats()));
      },
    });
  gauge("live_queries_active", "Live queries running against Snowflake now.", (s) => s.active);
  gauge("live_queries_waiting", "Live queries waiting for a free slot now.", (s) => s.waiting);
  gauge("live_query_slots", "Live queries allowed at once (LIVE_MAX_CONCURRENCY).", (s) => s.slots);
}

/**
 * `NotFound` → `not_found`: the spelling of the Connect wire and of the log lines, so one grep
 * finds a code in the logs, the metrics and a caller's error body alike; OK is `ok`, as logged.
 */
function codeName(code: Code | undefined): string {
  return code === undefined ? "ok" : codeToString(code);
}

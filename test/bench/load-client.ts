/**
 * The load generator, run as its own process (`node --import tsx test/bench/load-client.ts
 * <plan.json>`) so the service's event loop and the callers' do not share a thread. It runs the
 * plan's jobs one after another (each RPC at each concurrency, closed loop, warm-up excluded)
 * and prints one JSON line, {@link ClientReport}, on stdout.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { closedLoop, type LatencySummary, type RunBounds, summarize } from "./latency.js";
import { type CallName, type RequestPool, rpcCalls } from "./rpc-cases.js";

/** gRPC over h2c, or Connect's JSON over HTTP/1.1. */
export type Protocol = "grpc" | "connect-json";

/** One measurement: an RPC at a concurrency over a protocol. */
export interface ClientJob {
  readonly rpc: CallName;
  readonly protocol: Protocol;
  readonly concurrency: number;
  /** Ask for LIVE_REQUIRED freshness (the live path through the emulator). */
  readonly live: boolean;
  readonly bounds: RunBounds;
}

/** What the client is told to do. */
export interface ClientPlan {
  readonly baseUrl: string;
  readonly pool: RequestPool;
  readonly jobs: readonly ClientJob[];
}

/** One job's outcome: "unimplemented" when the server does not have the RPC (yet). */
export interface JobResult extends ClientJob {
  readonly status: "ok" | "unimplemented" | "failed";
  readonly errors: number;
  readonly firstError: string;
  readonly latency: LatencySummary;
}

/** The client's answer on stdout. */
export interface ClientReport {
  readonly results: JobResult[];
}

function transportFor(protocol: Protocol, baseUrl: string): Transport {
  return protocol === "grpc"
    ? createGrpcTransport({ baseUrl })
    : createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false });
}

/** Runs every job of `plan` in order. An UNIMPLEMENTED RPC is skipped at every later level. */
export async function runPlan(plan: ClientPlan): Promise<ClientReport> {
  const calls = rpcCalls(plan.pool);
  const transports = new Map<Protocol, Transport>();
  const unimplemented = new Set<CallName>();
  const results: JobResult[] = [];
  for (const job of plan.jobs) {
    if (unimplemented.has(job.rpc)) {
      results.push({ ...job, ...skipped("UNIMPLEMENTED (see the first level)") });
      continue;
    }
    let transport = transports.get(job.protocol);
    if (transport === undefined) {
      transport = transportFor(job.protocol, plan.baseUrl);
      transports.set(job.protocol, transport);
    }
    const call = calls[job.rpc];
    const signal = new AbortController().signal;
    const target = transport;
    const outcome = await closedLoop(
      job.concurrency,
      job.bounds,
      (i) => call(target, i, job.live, signal),
      (err) => (err instanceof ConnectError && err.code === Code.Unimplemented ? "stop" : "count"),
    );
    let status: JobResult["status"] = "ok";
    if (outcome.stopped !== "" && outcome.latencies.length === 0) {
      const isUnimplemented = /unimplemented/i.test(outcome.stopped);
      status = isUnimplemented ? "unimplemented" : "failed";
      if (isUnimplemented) unimplemented.add(job.rpc);
    }
    results.push({
      ...job,
      status,
      errors: outcome.errors,
      firstError: outcome.firstError,
      latency: summarize(outcome.latencies, outcome.elapsedMs),
    });
  }
  return { results };
}

function skipped(why: string): Omit<JobResult, keyof ClientJob> {
  return { status: "unimplemented", errors: 0, firstError: why, latency: summarize([], 0) };
}

const planPath = process.argv[2];
if (planPath !== undefined) {
  const plan = JSON.parse(readFileSync(planPath, "utf8")) as ClientPlan;
  const report = await runPlan(plan);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exit(0);
}

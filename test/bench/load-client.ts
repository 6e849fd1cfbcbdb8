/**
 * The load generator, run as its own process (`node --import tsx test/bench/load-client.ts
 * <plan.json>`) so the service's event loop and the callers' do not share a thread. It runs the
 * plan's jobs one after another (each RPC at each concurrency, closed loop, warm-up excluded)
 * over a lean client of its own (`h2-grpc-client.ts`, `h1-connect-client.ts`: on two shared
 * cores a heavier client would be what is measured), timing its own and the server's CPU over
 * each measured window, and prints one JSON line, {@link ClientReport}, on stdout.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { Code, ConnectError } from "@connectrpc/connect";
import { type CpuShare, cpuMeter } from "./cpu-meter.js";
import { connectJsonAgent, connectJsonCaller } from "./h1-connect-client.js";
import { grpcCaller, openGrpcSession } from "./h2-grpc-client.js";
import { closedLoop, type LatencySummary, type RunBounds, summarize } from "./latency.js";
import {
  type CallName,
  CUSTOMER_PAGE,
  CUSTOMER_PAGE_CALLS,
  type RequestPool,
  type RpcCase,
  rpcCases,
} from "./rpc-cases.js";

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
  /** The process answering at `baseUrl`, whose CPU is read from /proc during each job. */
  readonly serverPid: number;
  readonly pool: RequestPool;
  readonly jobs: readonly ClientJob[];
}

/** One job's outcome: "unimplemented" when the server does not have the RPC (yet). */
export interface JobResult extends ClientJob {
  readonly status: "ok" | "unimplemented" | "failed";
  readonly errors: number;
  readonly firstError: string;
  readonly latency: LatencySummary;
  /** CPU of the client and of the server over the measured window (NaN when not measured). */
  readonly cpu: CpuShare;
}

/** The client's answer on stdout. */
export interface ClientReport {
  readonly results: JobResult[];
}

/** A job's callers' connection: the call of request `i`, and how to let go of it. */
interface Connection {
  readonly call: (i: number) => Promise<void>;
  close(): void;
}

/** Opens what a job's callers share: one h2c session, or a keep-alive agent of one socket each. */
async function connect(
  job: ClientJob,
  baseUrl: string,
  cases: ReturnType<typeof rpcCases>,
): Promise<Connection> {
  if (job.rpc === CUSTOMER_PAGE) {
    const session = await openGrpcSession(baseUrl);
    const calls = CUSTOMER_PAGE_CALLS.map((name) => grpcCaller(session, cases[name], job.live));
    return {
      call: async (i) => {
        await Promise.all(calls.map((call) => call(i)));
      },
      close: () => session.close(),
    };
  }
  const rpc: RpcCase = cases[job.rpc];
  if (job.protocol === "grpc") {
    const session = await openGrpcSession(baseUrl);
    return { call: grpcCaller(session, rpc, job.live), close: () => session.close() };
  }
  const agent = connectJsonAgent(job.concurrency);
  return { call: connectJsonCaller(baseUrl, agent, rpc, job.live), close: () => agent.destroy() };
}

/** Runs every job of `plan` in order. An UNIMPLEMENTED RPC is skipped at every later level. */
export async function runPlan(plan: ClientPlan): Promise<ClientReport> {
  const cases = rpcCases(plan.pool);
  const unimplemented = new Set<CallName>();
  const results: JobResult[] = [];
  for (const job of plan.jobs) {
    if (unimplemented.has(job.rpc)) {
      results.push({ ...job, ...skipped("unimplemented", "UNIMPLEMENTED (see the first level)") });
      continue;
    }
    let connection: Connection;
    try {
      connection = await connect(job, plan.baseUrl, cases);
    } catch (err) {
      results.push({
        ...job,
        ...skipped("failed", err instanceof Error ? err.message : String(err)),
      });
      continue;
    }
    const cpu = cpuMeter(plan.serverPid);
    const outcome = await closedLoop(
      job.concurrency,
      job.bounds,
      connection.call,
      (err) => (err instanceof ConnectError && err.code === Code.Unimplemented ? "stop" : "count"),
      () => cpu.start(),
    );
    const usage = cpu.stop();
    connection.close();
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
      cpu: usage,
    });
  }
  return { results };
}

function skipped(status: JobResult["status"], why: string): Omit<JobResult, keyof ClientJob> {
  return {
    status,
    errors: 0,
    firstError: why,
    latency: summarize([], 0),
    cpu: { clientPercent: Number.NaN, serverPercent: Number.NaN },
  };
}

const planPath = process.argv[2];
if (planPath !== undefined) {
  const plan = JSON.parse(readFileSync(planPath, "utf8")) as ClientPlan;
  const report = await runPlan(plan);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exit(0);
}

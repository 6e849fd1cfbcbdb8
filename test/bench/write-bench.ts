/**
 * Write latency: CreateCustomer (a new id per request) and UpdateCustomer (no etag, so the last
 * write wins; the name changes on ids drawn from the data) at 1 and 16 callers, closed loop,
 * against a running service, and GetCustomer's latency (of written ids and of others) while 16
 * callers update. The writes go
 * to the service's source of truth (the emulator through snowflake-sdk, or the embedded DuckDB
 * file) and into its overlay, so the figures are a write's whole path. The callers run in the
 * bench's own process over one h2c session (connect-node's gRPC transport): a write costs
 * milliseconds, so the client's share of the time is small beside it.
 *
 * @module
 */
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { CustomerService } from "../../gen/customeranalytics/v1/customer_pb.js";
import { closedLoop, type LatencySummary, type RunBounds, summarize } from "./latency.js";
import { at, type RequestPool } from "./rpc-cases.js";
import type { ScaleName } from "./scale.js";

/** One write measurement: an RPC at a concurrency against one source of truth. */
export interface WriteResult {
  /** The service's source of truth, as the report names it. */
  readonly target: string;
  /** CreateCustomer, UpdateCustomer, or GetCustomer measured while 16 callers update. */
  readonly rpc: string;
  readonly concurrency: number;
  readonly errors: number;
  readonly firstError: string;
  readonly latency: LatencySummary;
}

/** The bounds of one write measurement: small keeps the whole run to a few hundred writes. */
export const WRITE_BOUNDS: Readonly<Record<ScaleName, RunBounds>> = {
  small: { warmup: 4, warmupMs: 1_000, maxRequests: 40, maxMs: 2_000 },
  large: { warmup: 10, warmupMs: 2_000, maxRequests: 400, maxMs: 10_000 },
};

/** The concurrency levels of the writes. */
export const WRITE_CONCURRENCY = [1, 16] as const;

/** GetCustomer of customers the bench wrote, measured while 16 callers update. */
export const READ_WRITTEN = "GetCustomer of written ids, during UpdateCustomer ×16";

/** GetCustomer of customers no write touched, measured while 16 callers update. */
export const READ_OTHER = "GetCustomer of unwritten ids, during UpdateCustomer ×16";

/**
 * Measures the writes against the service at `baseUrl`; `target` labels the rows and, with a
 * counter, keeps created ids distinct between runs on one source.
 */
export async function measureWrites(
  baseUrl: string,
  target: string,
  pool: RequestPool,
  bounds: RunBounds,
): Promise<WriteResult[]> {
  const transport = createGrpcTransport({ baseUrl });
  const client = createClient(CustomerService, transport);
  const tag = `${target.slice(0, 3)}${Date.now().toString(36)}`;
  const calls = {
    CreateCustomer: (run: number) => async (i: number) => {
      await client.createCustomer(
        {
          customer: {
            customerId: `BW-${tag}-${run}-${i}`,
            customerName: `Bench writer ${i}`,
            customerType: "retail",
            region: "Bench",
            registrationDate: "2024-01-01",
            status: "active",
          },
        },
        { timeoutMs: 30_000 },
      );
    },
    UpdateCustomer: (run: number) => async (i: number) => {
      await client.updateCustomer(
        {
          customer: { customerId: at(pool.customerIds, i), customerName: `Renamed ${run}-${i}` },
          updateMask: { paths: ["customer_name"] },
        },
        { timeoutMs: 30_000 },
      );
    },
  };
  const results: WriteResult[] = [];
  let run = 0;
  for (const rpc of ["CreateCustomer", "UpdateCustomer"] as const) {
    for (const concurrency of WRITE_CONCURRENCY) {
      results.push(await measure(target, rpc, concurrency, bounds, calls[rpc](run++)));
    }
  }
  // Reads bounded by time only, so they span the writes (which stop at their count or time):
  // 8 callers on ids the update runs wrote (their reads lay the overlay over the snapshot),
  // 8 on ids no run writes (the half of the pool the updates never reach).
  const readBounds = { warmup: 0, warmupMs: 0, maxRequests: 1_000_000, maxMs: bounds.maxMs };
  const written = Math.min(bounds.warmup + bounds.maxRequests, pool.customerIds.length);
  const other = Math.floor(pool.customerIds.length / 2);
  const read = (index: (i: number) => number) => async (i: number) => {
    await client.getCustomer({ customerId: at(pool.customerIds, index(i)) }, { timeoutMs: 30_000 });
  };
  const [readWritten, readOther, write] = await Promise.all([
    measure(
      target,
      READ_WRITTEN,
      8,
      readBounds,
      read((i) => i % written),
    ),
    measure(
      target,
      READ_OTHER,
      8,
      readBounds,
      read((i) => other + i),
    ),
    measure(
      target,
      "UpdateCustomer",
      16,
      { ...bounds, warmup: 0, warmupMs: 0 },
      calls.UpdateCustomer(run++),
    ),
  ]);
  results.push(readWritten, readOther, { ...write, rpc: "UpdateCustomer (with the reads)" });
  return results;
}

async function measure(
  target: string,
  rpc: string,
  concurrency: number,
  bounds: RunBounds,
  call: (i: number) => Promise<void>,
): Promise<WriteResult> {
  const outcome = await closedLoop(concurrency, bounds, call, () => "count");
  return {
    target,
    rpc,
    concurrency,
    errors: outcome.errors,
    firstError: outcome.firstError,
    latency: summarize(outcome.latencies, outcome.elapsedMs),
  };
}

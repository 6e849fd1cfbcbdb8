import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { Health } from "../../../gen/grpc/health/v1/health_pb.js";
import { SERVICES } from "../../../src/server/server.js";
import { fuzzSeed } from "../fuzz-rng.js";

// The fixed knobs of the hostile-input run, shared by the harness and every case generator so a
// replayed seed meets the same deadlines, limits and method lists.

/** The run's seed: FUZZ_SEED or the default; the same seed replays the same cases. */
export const SEED = fuzzSeed();
/** Printed with every failure, so a failing run can be replayed. */
export const REPLAY = `seed ${SEED} (replay with FUZZ_SEED=${SEED})`;
/** Per-call deadline sent with every call; an answer later than this + slack is a hang. */
export const CALL_TIMEOUT_MS = 5_000;
/** How late past its deadline an answer may come before it counts as a hang. */
export const HANG_SLACK_MS = 1_000;
/** The main service's MAX_REQUEST_BYTES: above the 100 kB strings, below the oversized bodies. */
export const MAX_REQUEST_BYTES = 1_048_576;
/** Calls in flight at once. */
export const CONCURRENCY = 8;
/**
 * How much the heap may grow from after the warm-up to after the run and a settle (both
 * measured after a full GC): generous, because DuckDB's prepared statements and the HTTP/2
 * sessions legitimately keep some memory, yet far below what a leak of ~3,000 requests with
 * 100 kB strings would hold (hundreds of MB).
 */
export const HEAP_GROWTH_BOUND = 64 * 1024 * 1024;
/** A lone surrogate as JSON.stringify escapes it (paired ones stay raw). */
export const LONE_SURROGATE = /\\ud[89a-f][0-9a-f]{2}/i;
/** Text that betrays a stack trace or a source path. */
export const STACK = /\n\s*at\s|\(\S+:\d+:\d+\)|node_modules|\/src\/|file:\/\/|\.ts:\d+/;
/** The tables whose contents must be unchanged by the run. */
export const BASE_TABLES = ["customers", "products", "customer_products"] as const;

/** The services fuzzed: the API's and the health service (open even with keys). */
export const FUZZED: readonly DescService[] = [...SERVICES, Health];
/** Every fuzzed method, so a new RPC is fuzzed without touching the suite. */
export const METHODS: readonly DescMethod[] = FUZZED.flatMap((s) => s.methods);
/**
 * The methods raw cases with decodable payloads go to: junk can decode to a TriggerSync with
 * force = true (protobuf is lenient), which would rightly build a new snapshot. Raw junk that
 * reaches TriggerSync is screened by `forcesSync` instead.
 */
export const NOT_TRIGGER = METHODS.filter((m) => m.name !== "TriggerSync");
/** Streams that never end on their own: read the first message, then cancel. */
export const ENDLESS = new Set(["WatchSync", "Watch"]);

/** The HTTP path of a method. */
export const pathOf = (m: DescMethod): string => `/${m.parent.typeName}/${m.name}`;

/**
 * The deadline a raw request brings: the usual one, or 500 ms for the endless streams, which a
 * raw client does not cancel and which end (OK or DEADLINE_EXCEEDED) at the caller's deadline.
 */
export const rawDeadlineMs = (m: DescMethod): number =>
  ENDLESS.has(m.name) ? 500 : CALL_TIMEOUT_MS;
/** The gRPC deadline header of a raw request to `m`. */
export const grpcDeadline = (m: DescMethod): Record<string, string> => ({
  "grpc-timeout": `${rawDeadlineMs(m)}m`,
});
/** The Connect deadline header of a raw request to `m`. */
export const connectDeadline = (m: DescMethod): Record<string, string> => ({
  "connect-timeout-ms": String(rawDeadlineMs(m)),
});

/** A fuzz case: one request sent and judged, its verdict recorded in a tally. */
export type Job = () => Promise<void>;

/** Runs `jobs` with at most `n` in flight. */
export async function pool(jobs: readonly Job[], n: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      await job?.();
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
}

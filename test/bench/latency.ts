/**
 * Latency statistics shared by the load client and the floor: percentiles by nearest rank over
 * the measured requests (warm-up excluded) and throughput over the measured window.
 *
 * @module
 */

/** The summary of one measurement, times in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
  /** Requests completed per second over the measured window. */
  readonly rps: number;
  readonly elapsedMs: number;
}

/** The nearest-rank percentile `p` (0..100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

/** Summarises `latencies` (ms, any order) measured over `elapsedMs`. */
export function summarize(latencies: readonly number[], elapsedMs: number): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const total = sorted.reduce((sum, ms) => sum + ms, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.length === 0 ? Number.NaN : total / sorted.length,
    rps: elapsedMs > 0 ? (sorted.length * 1000) / elapsedMs : 0,
    elapsedMs,
  };
}

/** Bounds of a closed-loop run: warm-up requests, then a measured phase bounded by count and time. */
export interface RunBounds {
  readonly warmup: number;
  /** The warm-up also ends after this many milliseconds. */
  readonly warmupMs: number;
  readonly maxRequests: number;
  readonly maxMs: number;
}

/** What a closed-loop run measured; `stopped` is set when a request asked it to stop. */
export interface RunOutcome {
  readonly latencies: number[];
  readonly elapsedMs: number;
  readonly errors: number;
  readonly firstError: string;
  readonly stopped: string;
}

/**
 * Runs `request(i)` from `concurrency` callers, each starting its next request when its last one
 * ends (closed loop), numbering requests 0, 1, 2, ... across callers: first `warmup` requests
 * unmeasured, then measured ones until `maxRequests` or `maxMs`. `classify` turns a failure into
 * "stop" (the whole run ends, e.g. UNIMPLEMENTED) or "count". More than 100 counted failures
 * also end the run. `onMeasuring` is called as the measured phase begins (to start meters that
 * should not see the warm-up).
 */
export async function closedLoop(
  concurrency: number,
  bounds: RunBounds,
  request: (i: number) => Promise<unknown>,
  classify: (err: unknown) => "stop" | "count",
  onMeasuring?: () => void,
): Promise<RunOutcome> {
  let next = 0;
  let errors = 0;
  let firstError = "";
  let stopped = "";
  const phase = async (limit: number, maxMs: number, record: number[] | undefined) => {
    const deadline = performance.now() + maxMs;
    const caller = async () => {
      while (stopped === "" && next < limit && performance.now() < deadline) {
        const i = next++;
        const began = performance.now();
        try {
          await request(i);
          record?.push(performance.now() - began);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          if (classify(err) === "stop") stopped = message;
          else if (++errors > 100) stopped = `more than 100 failures; first: ${firstError}`;
          if (firstError === "") firstError = message;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, caller));
  };
  await phase(bounds.warmup, bounds.warmupMs, undefined);
  const latencies: number[] = [];
  onMeasuring?.();
  const began = performance.now();
  await phase(bounds.warmup + bounds.maxRequests, bounds.maxMs, latencies);
  return { latencies, elapsedMs: performance.now() - began, errors, firstError, stopped };
}

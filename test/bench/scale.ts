/**
 * The two benchmark scales: how much data is generated, and how long each measurement may run.
 * Every loop of the benchmark is bounded by these counts and times.
 *
 * @module
 */

/** Names of the scales `npm run bench -- --scale <name>` accepts. */
export type ScaleName = "small" | "large";

/** Bounds of one latency measurement (one RPC at one concurrency). */
export interface LoadBounds {
  /** Requests sent first and not measured... */
  readonly warmup: number;
  /** ...for at most this many milliseconds. */
  readonly warmupMs: number;
  /** The measurement stops after this many requests... */
  readonly maxRequests: number;
  /** ...or after this many milliseconds, whichever comes first. */
  readonly maxMs: number;
}

/** One scale: row counts and the bounds of every phase. */
export interface Scale {
  readonly name: ScaleName;
  readonly customers: number;
  readonly products: number;
  readonly relationships: number;
  /** Bounds for the cached RPCs over gRPC and Connect. */
  readonly rpc: LoadBounds;
  /** Bounds for the SQL fallbacks (questions the in-memory structures cannot answer). */
  readonly fallback: LoadBounds;
  /** Bounds for the live path (every call goes through the driver to the emulator). */
  readonly live: LoadBounds;
  /** Bounds for the floor (the same SQL straight on the snapshot file). */
  readonly floor: LoadBounds;
  /** How long a first sync may take before the benchmark gives up. */
  readonly syncLimitMs: number;
  /** How many restarts are timed (the median is reported). */
  readonly restarts: number;
  /** Heap for the emulator process, which holds the whole result of a table scan as JSON. */
  readonly emulatorHeapMb: number;
}

/** The scales; `large` is the 1M / 10k / 10M. */
export const SCALES: Readonly<Record<ScaleName, Scale>> = {
  small: {
    name: "small",
    customers: 10_000,
    products: 1_000,
    relationships: 100_000,
    rpc: { warmup: 200, warmupMs: 250, maxRequests: 3_000, maxMs: 1_000 },
    fallback: { warmup: 5, warmupMs: 500, maxRequests: 500, maxMs: 1_500 },
    live: { warmup: 3, warmupMs: 1_000, maxRequests: 60, maxMs: 2_500 },
    floor: { warmup: 50, warmupMs: 250, maxRequests: 2_000, maxMs: 600 },
    syncLimitMs: 120_000,
    restarts: 3,
    emulatorHeapMb: 2_048,
  },
  large: {
    name: "large",
    customers: 1_000_000,
    products: 10_000,
    relationships: 10_000_000,
    rpc: { warmup: 500, warmupMs: 1_000, maxRequests: 20_000, maxMs: 5_000 },
    fallback: { warmup: 2, warmupMs: 2_000, maxRequests: 400, maxMs: 5_000 },
    live: { warmup: 2, warmupMs: 10_000, maxRequests: 40, maxMs: 15_000 },
    floor: { warmup: 100, warmupMs: 1_000, maxRequests: 5_000, maxMs: 3_000 },
    syncLimitMs: 40 * 60_000,
    restarts: 3,
    emulatorHeapMb: 12_288,
  },
};

/** The concurrency levels every cached RPC is measured at. */
export const CONCURRENCY = [1, 16, 64] as const;

/** The customer page's users: one alone, and the 16 its target is stated at. */
export const CUSTOMER_PAGE_CONCURRENCY = [1, 16] as const;

/**
 * The SQL fallbacks' callers: each runs whole DuckDB queries (another reference date re-scores
 * every customer), which queue on the pool of four connections; more callers only lengthen
 * the queue.
 */
export const FALLBACK_CONCURRENCY = [1, 4] as const;

/** Concurrency levels of the live path (the service allows 4 live statements at once). */
export const LIVE_CONCURRENCY = [1, 4] as const;

/** How many customer ids are drawn for the request pool (cycled through by index). */
export const ID_POOL_SIZE = 20_000;

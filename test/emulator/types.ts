/**
 * Types shared by the Snowflake emulator's modules and by its programmatic API.
 *
 * @module
 */

/** A JSON value as the emulator sends and receives it. */
export type Json =
  | string
  | number
  | boolean
  | null
  | readonly Json[]
  | { readonly [key: string]: Json };

/** A value a test may bind to a `?` placeholder of the admin SQL API. */
export type AdminSqlParam = string | number | boolean | bigint | null;

/** How many synthetic rows to generate into each table at start-up (deterministic). */
export interface GenerateSpec {
  /** Rows in `customers` (ids `C0000001`…). */
  readonly customers?: number;
  /** Rows in `products` (ids `P00001`…). */
  readonly products?: number;
  /** Rows in `customer_products` (ids `R000000001`…). */
  readonly customer_products?: number;
}

/** Everything `startEmulator` accepts; every field has a default. */
export interface EmulatorOptions {
  /** Interface to listen on. Default `127.0.0.1` (the emulator is for loopback use only). */
  readonly host?: string;
  /** TCP port; `0` picks a free one. Default 8085. */
  readonly port?: number;
  /** The one accepted login name (case-insensitive, as Snowflake). Default `analytics`. */
  readonly user?: string;
  /** The accepted password. Default `emulator`. */
  readonly password?: string;
  /**
   * PEM public key(s) for key-pair (`SNOWFLAKE_JWT`) logins. When empty, a JWT login is
   * accepted if its `sub` claim names the configured user, without checking the signature.
   */
  readonly publicKeysPem?: readonly string[];
  /** Directory with `customers`, `products`, `customer_products` as `.csv`, `.csv.gz` or `.parquet`. */
  readonly dataDir?: string;
  /** Synthetic rows to add after loading `dataDir` (handy for benchmarks). */
  readonly generate?: GenerateSpec;
  /** Database name reported when the login names none. Default `ANALYTICS`. */
  readonly database?: string;
  /** Schema name reported when the login names none. Default `PUBLIC`. */
  readonly schema?: string;
  /** Warehouse name reported when the login names none. Default `EMULATOR_WH`. */
  readonly warehouse?: string;
  /** Role name reported when the login names none. Default `EMULATOR_ROLE`. */
  readonly role?: string;
  /** Results with at most this many rows are sent inline; larger ones are chunked. Default 1000. */
  readonly inlineRowLimit?: number;
  /** Rows per downloadable chunk. Default 20000. */
  readonly chunkRows?: number;
  /** Gzip chunk bodies (with `Content-Encoding: gzip`). Default true. */
  readonly gzipChunks?: boolean;
  /** How long a query-request waits for its result before answering 333333. Default 5000 ms. */
  readonly asyncThresholdMs?: number;
  /** How long a `/queries/<id>/result` poll is held open while the query runs. Default 10000 ms. */
  readonly resultPollHoldMs?: number;
  /** Session token lifetime; after it queries get 390112 and the driver renews. Default 3600 s. */
  readonly sessionValiditySeconds?: number;
  /** Master token lifetime; renewal after it fails with 390114. Default 14400 s. */
  readonly masterValiditySeconds?: number;
  /** Pin a DuckDB snapshot before each write so `AT(TIMESTAMP => …)` reads old data. Default true. */
  readonly timeTravel?: boolean;
  /** Snapshots kept for time travel, one per write (oldest released first). Default 32. */
  readonly timeTravelVersions?: number;
  /** Where request and error lines go. Default: nowhere. */
  readonly log?: (line: string) => void;
}

/** Faults to inject; each "count" is consumed by matching requests, then the fault is gone. */
export interface FaultConfig {
  /** Milliseconds added before answering every protocol request (admin API excluded). */
  readonly latencyMs?: number;
  /** Answer the next `count` matching requests with HTTP `status` (default 503). */
  readonly http5xx?: {
    readonly count: number;
    readonly status?: number;
    /** Regular expression (source text) the request path must match; default: any path. */
    readonly pathPattern?: string;
  };
  /** Destroy the socket after `afterBytes` (default: half) of the next `count` chunk downloads. */
  readonly dropChunks?: { readonly count: number; readonly afterBytes?: number };
  /** Answer the next `count` chunk downloads with HTTP `status` (404 fails the driver at once). */
  readonly failChunks?: { readonly count: number; readonly status?: number };
  /** The next `count` query-requests answer 390112 (session expired), forcing a token renewal. */
  readonly expireSessions?: number;
  /** The next `count` matching queries never finish until cancelled (answered with 333333). */
  readonly hangQueries?: { readonly count: number; readonly sqlPattern?: string };
  /** The next `count` matching queries take `delayMs` longer. */
  readonly slowQueries?: {
    readonly count: number;
    readonly delayMs: number;
    readonly sqlPattern?: string;
  };
  /** The next `count` logins fail with 390100 whatever the password. */
  readonly rejectLogins?: number;
  /**
   * The next `count` stage-file downloads whose path matches `pathPattern` (default any)
   * answer HTTP `status` (default 500; the driver retries a 5xx up to five times per file).
   */
  readonly failDownloads?: {
    readonly count: number;
    readonly status?: number;
    readonly pathPattern?: string;
  };
  /**
   * The next `count` matching stage-file downloads send only the first `keepBytes` bytes
   * (default half) as a complete response, so the driver writes a short file and reports
   * success: what a load must notice.
   */
  readonly truncateDownloads?: {
    readonly count: number;
    readonly keepBytes?: number;
    readonly pathPattern?: string;
  };
}

/** Counters the emulator keeps; `GET /__emulator/stats` returns them. */
export interface EmulatorStats {
  /** Protocol requests received (admin API excluded). */
  requests: number;
  /** Requests per route name (`login`, `query`, `result`, `chunk`, …). */
  byRoute: Record<string, number>;
  logins: { succeeded: number; failed: number };
  tokenRenewals: number;
  heartbeats: number;
  sessionsClosed: number;
  queries: {
    received: number;
    succeeded: number;
    failed: number;
    canceled: number;
    /** Replies with code 333333 / 333334 (query still running). */
    inProgressReplies: number;
    /** `GET /queries/<id>/result` requests. */
    resultPolls: number;
    /** Query-requests that re-used an earlier request's `requestId` and were not re-run. */
    deduplicated: number;
    /** Finished statements by kind (`select`, `insert`, `update`, `delete`, `ddl`, `session`, …). */
    byKind: Record<string, number>;
  };
  chunks: { served: number; dropped: number; failed: number; bytes: number };
  /** Faults injected, by fault name. */
  faults: Record<string, number>;
  /** Queries that read a table `AT`/`BEFORE` a point in time. */
  timeTravelReads: number;
  /** Those reads by lower-case table name (how often a sync read each table). */
  timeTravelReadsByTable: Record<string, number>;
  /** Statements run through `POST /__emulator/sql`. */
  adminStatements: number;
  /** Files written by `COPY INTO @stage`, removed by `REMOVE`, offered by `GET`. */
  stageFilesWritten: number;
  stageFilesRemoved: number;
  stageDownloadsOffered: number;
  /** Stage files served over the download route (GCS-style GETs), and their bytes. */
  stageDownloads: { served: number; failed: number; truncated: number; bytes: number };
}

/** A Snowflake error as it travels in a reply: code and SQL state are strings. */
export interface SnowflakeErrorInfo {
  readonly code: string;
  readonly sqlState: string;
  readonly message: string;
  /** `COMPILATION` or `EXECUTION`, as in Snowflake's error data. */
  readonly type: "COMPILATION" | "EXECUTION";
}

/** Thrown inside the emulator to answer with a given Snowflake error. */
export class SnowflakeError extends Error {
  /** The error as it goes on the wire. */
  readonly info: SnowflakeErrorInfo;

  /** Creates an error that the query layer turns into a Snowflake error reply. */
  constructor(info: SnowflakeErrorInfo) {
    super(info.message);
    this.name = "SnowflakeError";
    this.info = info;
  }
}

/** What `sql()` of the programmatic and HTTP admin APIs returns. */
export interface AdminSqlResult {
  /** Column names as DuckDB reports them. */
  readonly columns: readonly string[];
  /** Rows as JSON values (DECIMAL and BIGINT as exact strings, dates as ISO text). */
  readonly rows: readonly (readonly Json[])[];
  /** Rows inserted, updated or deleted (0 for queries). */
  readonly rowsChanged: number;
}

import { statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { getHeapStatistics } from "node:v8";
import cron from "node-cron";
import { AppError, isErrorKind } from "./app-error.js";
import {
  ALWAYS_BLOCKING,
  DEFAULT_BLOCKING_CHECKS,
  VALIDATION_CHECK_IDS,
} from "./schema/validation-spec.js";

/**
 * Where the syncer reads the three tables from. `embedded` (the default without Snowflake or
 * `LOCAL_SOURCE_DIR`) is a writable DuckDB database under DATA_DIR seeded from the bundled
 * file; `online-retail` reads that file directly and, like `local`, is read-only.
 */
export type SourceKind = "snowflake" | "local" | "online-retail" | "embedded";

/** Connection settings for Snowflake, present only when `SOURCE` is `snowflake`. */
export interface SnowflakeConfig {
  readonly account: string;
  readonly user: string;
  readonly password: string | undefined;
  readonly privateKeyPath: string | undefined;
  readonly warehouse: string | undefined;
  readonly database: string | undefined;
  readonly schema: string | undefined;
  readonly role: string | undefined;
  readonly accessUrl: string | undefined;
}

/** Verification of JWTs (RS256, ES256) against a local JWKS file; set by `JWT_JWKS_FILE`. */
export interface JwtConfig {
  readonly jwksFile: string;
  /** The `iss` every accepted token must carry. */
  readonly issuer: string;
  /** The `aud` (or one of them) every accepted token must carry. */
  readonly audience: string;
  /** The claim that holds the role: a string, or a list of strings (the highest role wins). */
  readonly roleClaim: string;
  /** Longest lifetime accepted, from `iat` (or from now without one) to `exp` (JWT_MAX_LIFETIME); 24 h when absent. */
  readonly maxLifetimeMs?: number;
}

/**
 * Every setting of the service, read from the environment once at start-up. Nothing else reads
 * `process.env`, so the whole configuration surface is this one type and its README table.
 */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  readonly source: SourceKind;
  /** Directory of CSV or Parquet files for `SOURCE=local`. */
  readonly localSourceDir: string | undefined;
  readonly snowflake: SnowflakeConfig | undefined;
  readonly syncCron: string | undefined;
  /**
   * How long after the last write a sync starts, so the snapshot (and the analytics) take the
   * writes in; undefined (`SYNC_AFTER_WRITES=off`) leaves that to the cron schedule.
   */
  readonly syncAfterWritesMs: number | undefined;
  /** Longest a write to Snowflake may take, session included; past it the write is UNAVAILABLE. */
  readonly writeTimeoutMs: number;
  /** Longest a live query towards Snowflake may take, waiting for a slot included, in ms. */
  readonly liveQueryTimeoutMs: number;
  /** Live queries towards Snowflake at once; more wait for a slot. */
  readonly liveMaxConcurrency: number;
  /** Oldest snapshot, in milliseconds, that answers a caller who allows cached data. */
  readonly defaultMaxStalenessMs: number;
  readonly corsOrigins: readonly string[];
  /** Server-side deadline for an RPC that did not bring its own, in milliseconds. */
  readonly defaultDeadlineMs: number;
  /** Largest request body accepted, in bytes. */
  readonly maxRequestBytes: number;
  /** How long shutdown waits for in-flight calls before it closes connections, in ms. */
  readonly shutdownGraceMs: number;
  /** JSON file of `{ name, role, sha256 }` API keys; unset (and no JWT) = the service runs open. */
  readonly apiKeysFile: string | undefined;
  readonly jwt: JwtConfig | undefined;
  /** Whether gRPC server reflection is served (`REFLECTION=off` hides the schema). */
  readonly reflection: boolean;
  /** Most rows one export may stream; a larger export fails with RESOURCE_EXHAUSTED. */
  readonly maxExportRows: number;
  /** PEM certificate (chain) and private key files; both set = TLS with ALPN (h2 and HTTP/1.1). */
  readonly tlsCert: string | undefined;
  readonly tlsKey: string | undefined;
  /** Most heap bytes one snapshot's remembered answers may hold (`MEMO_MAX_BYTES`). */
  readonly memoMaxBytes: number;
  /**
   * DuckDB's memory limit for a served snapshot, in MiB (`SNAPSHOT_MEMORY_MB`): what its buffer
   * pool and the in-memory structures' load statements may hold before they spill to disk.
   */
  readonly snapshotMemoryMb: number;
  /** Largest single answer remembered, in bytes; larger ones are computed each time. */
  readonly memoMaxAnswerBytes: number;
  /** Snowflake's limit on one load statement (`SNOWFLAKE_STATEMENT_TIMEOUT`), in ms. */
  readonly snowflakeStatementTimeoutMs: number;
  /** How many sync runs' records are kept in `DATA_DIR/sync-history.json` across restarts. */
  readonly syncHistoryLength: number;
  /**
   * Ids of the validation checks that fail a sync (`SYNC_BLOCKING_CHECKS`); every other check of
   * the spec reports in the data-quality report instead.
   */
  readonly syncBlockingChecks: ReadonlySet<string>;
  /** Largest share (0 to 1) of the live snapshot's rows a sync may drop from a base table. */
  readonly syncMaxShrink: number;
  /** Connection deadlines and caps of the listener (HEADERS_TIMEOUT, IDLE_TIMEOUT, ...). */
  readonly connections: ConnectionSettings;
  /** Export limits: stall timeout, concurrency caps, the leftover-file sweep. */
  readonly exportLimits: ExportLimits;
  /**
   * Whether the Snowflake source unloads tables through a stage as Parquet (`SYNC_BULK`):
   * `auto` for tables of at least `syncBulkMinRows` rows, `on` for all, `off` for none.
   */
  readonly syncBulk: "auto" | "on" | "off";
  /** The row count from which `SYNC_BULK=auto` unloads a table (`SYNC_BULK_MIN_ROWS`). */
  readonly syncBulkMinRows: number;
  /** A named stage for bulk unloads (`SNOWFLAKE_STAGE`); unset = a temporary stage per sync. */
  readonly snowflakeStage: string | undefined;
  /** What this process does about syncing (ROLE, PUBLISH_DIR, PUBLISH_POLL, WRITE_LOG_GRACE). */
  readonly scaleOut: ScaleOutSettings;
}

/**
 * `all` syncs for itself (one process); `syncer` syncs and publishes into a shared directory;
 * `replica` never reads the source for a sync and serves what the syncer published, so the
 * warehouse is read once per sync however many replicas serve.
 */
export type ProcessRole = "all" | "syncer" | "replica";

/** The role of this process and where publications are shared (see docs/deployment.md). */
export interface ScaleOutSettings {
  readonly role: ProcessRole;
  /** The shared directory (a ReadWriteMany volume); set whenever the role is not `all`. */
  readonly publishDir: string | undefined;
  /** How often a replica looks at the manifest besides watching it (file events can be lost on NFS). */
  readonly publishPollMs: number;
  /**
   * How long a write log segment that a publication holds is kept (WRITE_LOG_GRACE), so that a
   * replica still copying that publication keeps showing its writes meanwhile.
   */
  readonly writeLogGraceMs: number;
}

/**
 * How long a connection may take to send its headers or sit idle, and how many may be open:
 * without them one client could hold every file descriptor of the process.
 */
export interface ConnectionSettings {
  readonly headersTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly h2IdleTimeoutMs: number;
  readonly maxConnections: number;
  readonly maxConcurrentStreams: number;
}

/** Bounds on exports, so that callers who stall or pile up cannot fill the disk or the fds. */
export interface ExportLimits {
  /** A chunk the caller does not take within this ends the call (EXPORT_STALL_TIMEOUT). */
  readonly stallTimeoutMs: number;
  /** Exports running at once in the process (EXPORT_MAX_CONCURRENT). */
  readonly maxConcurrent: number;
  /** Exports running at once for one caller (EXPORT_MAX_PER_CALLER). */
  readonly maxPerCaller: number;
  /** How often files no running export owns are removed (EXPORT_SWEEP_INTERVAL). */
  readonly sweepIntervalMs: number;
}

/**
 * Raised when a setting is missing or malformed. Its message names the variable and says what
 * would be accepted, so that a person reading one log line can fix the deployment. It is the
 * project's one error type with kind `config`, under a name that reads well at the throw site;
 * `instanceof ConfigError` holds for every `config` AppError and nothing else.
 */
export class ConfigError extends AppError {
  override readonly name = "ConfigError";

  constructor(message: string) {
    super("config", message);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return isErrorKind(value, "config");
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and validates the configuration; throws {@link ConfigError} on the first bad setting. */
export function loadConfig(env: Env = process.env): Config {
  const snowflakeAccount = text(env, "SNOWFLAKE_ACCOUNT");
  const kinds = ["snowflake", "local", "online-retail", "embedded"] as const;
  const source = oneOf(env, "SOURCE", kinds, () => {
    if (snowflakeAccount !== undefined) return "snowflake";
    return text(env, "LOCAL_SOURCE_DIR") === undefined ? "embedded" : "local";
  });
  const localSourceDir = text(env, "LOCAL_SOURCE_DIR");
  if (source === "local" && localSourceDir === undefined) {
    throw new ConfigError(
      "SOURCE=local needs LOCAL_SOURCE_DIR, a directory of CSV or Parquet files",
    );
  }
  if (localSourceDir !== undefined && source === "local") {
    requireDirectory("LOCAL_SOURCE_DIR", absolute(localSourceDir));
  }
  const memoMaxBytes = integer(env, "MEMO_MAX_BYTES", defaultMemoBytes(), 0, 2 ** 50);
  const tlsCert = optionalPath(env, "TLS_CERT");
  const tlsKey = optionalPath(env, "TLS_KEY");
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw new ConfigError("TLS_CERT and TLS_KEY must be set together");
  }
  return {
    port: integer(env, "PORT", 8080, 0, 65535),
    snapshotMemoryMb: integer(env, "SNAPSHOT_MEMORY_MB", 512, 64, 2 ** 20),
    host: text(env, "HOST") ?? "0.0.0.0",
    dataDir: absolute(text(env, "DATA_DIR") ?? "./data"),
    logLevel: oneOf(
      env,
      "LOG_LEVEL",
      ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const,
      () => "info",
    ),
    source,
    localSourceDir: localSourceDir === undefined ? undefined : absolute(localSourceDir),
    snowflake: source === "snowflake" ? snowflakeConfig(env) : undefined,
    syncCron: cronExpression(env, "SYNC_CRON"),
    defaultMaxStalenessMs: duration(env, "DEFAULT_MAX_STALENESS", 24 * 3600_000),
    liveQueryTimeoutMs: duration(env, "LIVE_QUERY_TIMEOUT", 10_000),
    liveMaxConcurrency: integer(env, "LIVE_MAX_CONCURRENCY", 4, 1, 64),
    corsOrigins: (text(env, "CORS_ORIGINS") ?? "")
      .split(",")
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ""),
    defaultDeadlineMs: duration(env, "DEFAULT_DEADLINE", 30_000),
    maxRequestBytes: integer(env, "MAX_REQUEST_BYTES", 4 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    shutdownGraceMs: duration(env, "SHUTDOWN_GRACE", 5_000),
    apiKeysFile: optionalPath(env, "API_KEYS_FILE"),
    jwt: jwtConfig(env),
    reflection: oneOf(env, "REFLECTION", ["on", "off"] as const, () => "on") === "on",
    maxExportRows: integer(env, "MAX_EXPORT_ROWS", 1_000_000, 1, 100_000_000),
    tlsCert,
    tlsKey,
    memoMaxBytes,
    memoMaxAnswerBytes: integer(
      env,
      "MEMO_MAX_ANSWER_BYTES",
      Math.floor(memoMaxBytes / 16),
      0,
      memoMaxBytes,
    ),
    snowflakeStatementTimeoutMs: duration(env, "SNOWFLAKE_STATEMENT_TIMEOUT", 300_000),
    syncHistoryLength: integer(env, "SYNC_HISTORY_LENGTH", 20, 1, 1000),
    syncAfterWritesMs: syncAfterWrites(env),
    writeTimeoutMs: duration(env, "WRITE_TIMEOUT", 10_000),
    syncBlockingChecks: blockingChecks(env, "SYNC_BLOCKING_CHECKS"),
    syncMaxShrink: fraction(env, "SYNC_MAX_SHRINK", 0.5),
    connections: {
      headersTimeoutMs: duration(env, "HEADERS_TIMEOUT", 10_000),
      idleTimeoutMs: duration(env, "IDLE_TIMEOUT", 60_000),
      h2IdleTimeoutMs: duration(env, "H2_IDLE_TIMEOUT", 300_000),
      maxConnections: integer(env, "MAX_CONNECTIONS", 4096, 1, 1_000_000),
      maxConcurrentStreams: integer(env, "H2_MAX_STREAMS", 250, 1, 1000),
    },
    exportLimits: {
      stallTimeoutMs: duration(env, "EXPORT_STALL_TIMEOUT", 60_000),
      maxConcurrent: integer(env, "EXPORT_MAX_CONCURRENT", 16, 1, 1024),
      maxPerCaller: integer(env, "EXPORT_MAX_PER_CALLER", 4, 1, 1024),
      sweepIntervalMs: duration(env, "EXPORT_SWEEP_INTERVAL", 600_000),
    },
    syncBulk: oneOf(env, "SYNC_BULK", ["auto", "on", "off"] as const, () => "auto"),
    syncBulkMinRows: integer(env, "SYNC_BULK_MIN_ROWS", 200_000, 0, Number.MAX_SAFE_INTEGER),
    snowflakeStage: stageName(env, "SNOWFLAKE_STAGE"),
    scaleOut: scaleOutSettings(env),
  };
}

/** ROLE, PUBLISH_DIR, PUBLISH_POLL and WRITE_LOG_GRACE; a syncer or replica without a shared directory is refused. */
function scaleOutSettings(env: Env): ScaleOutSettings {
  const role = oneOf(env, "ROLE", ["all", "syncer", "replica"] as const, () => "all");
  const publishDir = optionalPath(env, "PUBLISH_DIR");
  if (role !== "all" && publishDir === undefined) {
    throw new ConfigError(
      `ROLE=${role} needs PUBLISH_DIR, the directory shared by the syncer and its replicas`,
    );
  }
  if (role === "replica" && publishDir !== undefined) requireDirectory("PUBLISH_DIR", publishDir);
  const publishPollMs = duration(env, "PUBLISH_POLL", 5_000);
  if (publishPollMs < 100) {
    throw new ConfigError(`PUBLISH_POLL=${text(env, "PUBLISH_POLL")} must be at least 100ms`);
  }
  const writeLogGraceMs = duration(env, "WRITE_LOG_GRACE", 60_000);
  return { role, publishDir, publishPollMs, writeLogGraceMs };
}

/** `SYNC_AFTER_WRITES`: a duration (default 60 s), or `off` for no sync scheduled by writes. */
function syncAfterWrites(env: Env): number | undefined {
  if (text(env, "SYNC_AFTER_WRITES")?.toLowerCase() === "off") return undefined;
  return duration(env, "SYNC_AFTER_WRITES", 60_000);
}

/** A stage name must be a Snowflake identifier (optionally qualified), as it is spliced into stage statements. */
function stageName(env: Env, name: string): string | undefined {
  const value = text(env, name);
  if (value === undefined) return undefined;
  if (!/^[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*){0,2}$/.test(value)) {
    throw new ConfigError(
      `${name} must be a stage name such as MY_STAGE or DB.SCHEMA.MY_STAGE (letters, digits, _ and $), not ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** A tenth of V8's heap limit: what remembered answers may hold unless `MEMO_MAX_BYTES` says. */
function defaultMemoBytes(): number {
  return Math.floor(getHeapStatistics().heap_size_limit / 10);
}

/** A directory setting must name something that exists now, not fail every sync later. */
function requireDirectory(name: string, path: string): void {
  try {
    statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    throw new ConfigError(`${name}=${path} does not exist or cannot be read (${code})`);
  }
}

/**
 * Parses `SYNC_BLOCKING_CHECKS`: check ids separated by commas, applied in order to an empty set;
 * `default` adds today's blocking set, `-id` removes one, `none` alone blocks nothing but the
 * column checks (a file that lacks a column or whose values do not cast cannot be loaded at all).
 */
function blockingChecks(env: Env, name: string): ReadonlySet<string> {
  const value = text(env, name);
  const checks = new Set(ALWAYS_BLOCKING);
  if (value === undefined) return new Set([...checks, ...DEFAULT_BLOCKING_CHECKS]);
  for (const raw of value.split(",")) {
    const token = raw.trim();
    if (token === "" || token === "none") continue;
    if (token === "default") {
      for (const id of DEFAULT_BLOCKING_CHECKS) checks.add(id);
      continue;
    }
    const id = token.startsWith("-") ? token.slice(1) : token;
    if (!VALIDATION_CHECK_IDS.includes(id)) {
      throw new ConfigError(
        `${name}: ${id} is not a check; use default, none, an id or -id, with ids: ${VALIDATION_CHECK_IDS.join(", ")}`,
      );
    }
    if (token.startsWith("-") && !ALWAYS_BLOCKING.has(id)) checks.delete(id);
    else checks.add(id);
  }
  return checks;
}

function fraction(env: Env, name: string, fallback: number): number {
  const value = text(env, name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0 || parsed > 1) {
    throw new ConfigError(`${name}=${value} must be a number from 0 to 1 (0.5 = half the rows)`);
  }
  return parsed;
}

function snowflakeConfig(env: Env): SnowflakeConfig {
  const account = text(env, "SNOWFLAKE_ACCOUNT");
  const user = text(env, "SNOWFLAKE_USER");
  if (account === undefined || user === undefined) {
    throw new ConfigError("SOURCE=snowflake needs SNOWFLAKE_ACCOUNT and SNOWFLAKE_USER");
  }
  const password = text(env, "SNOWFLAKE_PASSWORD");
  const privateKeyPath = text(env, "SNOWFLAKE_PRIVATE_KEY_PATH");
  if (password === undefined && privateKeyPath === undefined) {
    throw new ConfigError(
      "SOURCE=snowflake needs SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY_PATH (key-pair auth)",
    );
  }
  return {
    account,
    user,
    password,
    privateKeyPath: privateKeyPath === undefined ? undefined : absolute(privateKeyPath),
    warehouse: text(env, "SNOWFLAKE_WAREHOUSE"),
    database: text(env, "SNOWFLAKE_DATABASE"),
    schema: text(env, "SNOWFLAKE_SCHEMA"),
    role: text(env, "SNOWFLAKE_ROLE"),
    accessUrl: text(env, "SNOWFLAKE_ACCESS_URL"),
  };
}

function jwtConfig(env: Env): JwtConfig | undefined {
  const jwksFile = optionalPath(env, "JWT_JWKS_FILE");
  if (jwksFile === undefined) return undefined;
  const issuer = text(env, "JWT_ISSUER");
  const audience = text(env, "JWT_AUDIENCE");
  if (issuer === undefined || audience === undefined) {
    throw new ConfigError(
      "JWT_JWKS_FILE needs JWT_ISSUER and JWT_AUDIENCE: tokens are accepted only from one issuer for one audience",
    );
  }
  const lifetime = text(env, "JWT_MAX_LIFETIME");
  return {
    jwksFile,
    issuer,
    audience,
    roleClaim: text(env, "JWT_ROLE_CLAIM") ?? "role",
    ...(lifetime === undefined ? {} : { maxLifetimeMs: duration(env, "JWT_MAX_LIFETIME", 0) }),
  };
}

function optionalPath(env: Env, name: string): string | undefined {
  const value = text(env, name);
  return value === undefined ? undefined : absolute(value);
}

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

function absolute(path: string): string {
  return isAbsolute(path) ? path : resolve(process.cwd(), path);
}

function oneOf<const T extends string>(
  env: Env,
  name: string,
  allowed: readonly T[],
  fallback: () => T,
): T {
  const value = text(env, name);
  if (value === undefined) return fallback();
  const match = allowed.find((candidate) => candidate === value.toLowerCase());
  if (match === undefined) {
    throw new ConfigError(`${name}=${value} is not one of: ${allowed.join(", ")}`);
  }
  return match;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = text(env, name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(`${name}=${value} must be a whole number from ${min} to ${max}`);
  }
  return parsed;
}

const durationUnits: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3600_000,
  d: 86_400_000,
};

/** Parses `500ms`, `30s`, `15m`, `6h`, `7d` (a bare number means seconds). */
function duration(env: Env, name: string, fallback: number): number {
  const value = text(env, name);
  if (value === undefined) return fallback;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value);
  const unit = durationUnits[match?.[2] ?? "s"];
  if (match === null || unit === undefined) {
    throw new ConfigError(`${name}=${value} must be a duration such as 500ms, 30s, 15m, 6h or 7d`);
  }
  return Number(match[1]) * unit;
}

function cronExpression(env: Env, name: string): string | undefined {
  const value = text(env, name);
  if (value !== undefined && !cron.validate(value)) {
    throw new ConfigError(`${name}=${value} is not a cron expression (for example "*/15 * * * *")`);
  }
  return value;
}

import { createHash, randomUUID } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { SnowflakeConfig } from "../config.js";
import { bulkDownloadDir } from "./bulk-download-dirs.js";
import { type BulkSettings, fetchTable, removeLeftovers } from "./snowflake-bulk.js";
import type { SnowflakeClient } from "./snowflake-client.js";
import { snowflakeClient } from "./snowflake-driver.js";
import { snowflakeUnavailable } from "./snowflake-errors.js";
import { type SnowflakeLiveRunner, snowflakeLiveRunner } from "./snowflake-live.js";
import {
  COUNT_AT_SQL,
  CURRENT_TIMESTAMP_SQL,
  METADATA_TABLE_NAMES,
  SELECT_AT_SQL,
  SNOWFLAKE_TABLES,
  TABLE_METADATA_SQL,
  timestampBind,
} from "./snowflake-sql.js";
import { snowflakeWriter } from "./snowflake-writer.js";
import type { Source } from "./source.js";
import { sourceError } from "./source-error.js";
import { StatementTracker } from "./statement-tracker.js";
import type { BaseTable, SourceLoad, TableFeed } from "./table-feed.js";

/** Tuning of the Snowflake source; every field has a default. */
export interface SnowflakeSourceOptions {
  /** Live statements at once (default 4). */
  readonly maxConcurrentLive?: number;
  /** Deadline of one live call, waiting included (default 10 s). */
  readonly liveTimeoutMs?: number;
  /** How long opening (or waiting for) a session may take (default 15 s). */
  readonly connectTimeoutMs?: number;
  /** Snowflake's limit on each load statement, in seconds (default 300, `SNOWFLAKE_STATEMENT_TIMEOUT`). */
  readonly statementTimeoutSeconds?: number;
  /** Rows per batch handed to the snapshot builder (default 10 000). */
  readonly batchRows?: number;
  /** How long a streamed table may send nothing before the load fails (default 120 s). */
  readonly streamIdleTimeoutMs?: number;
  /** Login retries after a network error (default 1). */
  readonly loginRetries?: number;
  /** Where the driver's own error lines go (default: stderr). */
  readonly driverLog?: (message: string) => void;
  /** Deadline of one write transaction, session included (default 10 s, `WRITE_TIMEOUT`). */
  readonly writeTimeoutMs?: number;
  /**
   * Whether tables are unloaded through a stage as Parquet instead of streamed: `auto` for
   * tables of at least `bulkMinRows` rows (default), `on` for every table, `off` for none.
   */
  readonly bulk?: "auto" | "on" | "off";
  /** The row count from which `auto` unloads a table (default 200 000). */
  readonly bulkMinRows?: number;
  /** A named stage for the unloads; default a temporary internal stage per sync. */
  readonly stage?: string;
  /** GETs at once during a bulk download (default 4). */
  readonly bulkConcurrency?: number;
  /** MAX_FILE_SIZE of an unload in bytes (default 32 MiB). */
  readonly bulkMaxFileBytes?: number;
}

/** The Snowflake source: a {@link Source} plus the live runner the read router asks. */
export interface SnowflakeSource extends Source {
  readonly kind: "snowflake";
  /** Answers the query layer's Snowflake SQL live (a `LiveRunner`). */
  readonly live: SnowflakeLiveRunner;
}

/**
 * Mirrors the three tables from Snowflake at one point in time. `fingerprint` reads the
 * tables' `ROW_COUNT` and `LAST_ALTERED` (one metadata query); `load` takes Snowflake's
 * `CURRENT_TIMESTAMP()` once, counts each table `AT` that instant and streams each table `AT`
 * the same instant in bounded batches, so the snapshot is one consistent state even while
 * Snowflake is written to, and `dataAsOf` says exactly which.
 */
export function snowflakeSource(
  config: SnowflakeConfig,
  options: SnowflakeSourceOptions = {},
): SnowflakeSource {
  const maxConcurrentLive = options.maxConcurrentLive ?? 4;
  const batchRows = options.batchRows ?? 10_000;
  const client = snowflakeClient(config, {
    poolSize: maxConcurrentLive + 2,
    connectTimeoutMs: options.connectTimeoutMs ?? 15_000,
    statementTimeoutSeconds: options.statementTimeoutSeconds ?? 300,
    loginRetries: options.loginRetries ?? 1,
    streamIdleTimeoutMs: options.streamIdleTimeoutMs ?? 120_000,
    ...(options.driverLog === undefined ? {} : { log: options.driverLog }),
  });
  const where = [config.database, config.schema].filter((part) => part !== undefined).join(".");
  const tracker = new StatementTracker();
  const syncClient = tracker.wrap(client);
  return {
    kind: "snowflake",
    live: snowflakeLiveRunner(client, {
      maxConcurrent: maxConcurrentLive,
      timeoutMs: options.liveTimeoutMs ?? 10_000,
    }),
    fingerprint: () => fingerprint(syncClient, where),
    writer: snowflakeWriter(client, options.writeTimeoutMs ?? 10_000),
    load: (loadOptions) =>
      load(syncClient, {
        batchRows,
        syncId: loadOptions?.syncId ?? `sync-${randomUUID()}`,
        bulk: options.bulk ?? "auto",
        bulkMinRows: options.bulkMinRows ?? 200_000,
        settings: {
          stage: options.stage,
          concurrency: options.bulkConcurrency ?? 4,
          maxFileBytes: options.bulkMaxFileBytes ?? 32 * 1024 * 1024,
        },
      }),
    currentStatement: () => tracker.current(),
    close: () => client.close(),
  };
}

/**
 * Hashes each table's type, row count and last change. A view has no trustworthy
 * `LAST_ALTERED` for its data, so when a base table is a view the fingerprint includes the
 * time of the check: it then always differs and the sync never skips silently.
 */
async function fingerprint(client: SnowflakeClient, where: string): Promise<string> {
  const result = await client.query(TABLE_METADATA_SQL, METADATA_TABLE_NAMES, {
    what: "checking table metadata",
    nativeTypes: true,
  });
  const seen = new Map<string, string>();
  for (const [name, type, rowCount, lastAltered] of result.rows) {
    const changed = lastAltered instanceof Date ? lastAltered.getTime() : String(lastAltered);
    const volatile = type === "BASE TABLE" ? "" : `checked ${Date.now()}`;
    seen.set(String(name), `${String(type)}\0${String(rowCount)}\0${changed}\0${volatile}`);
  }
  const hash = createHash("sha256");
  for (const name of METADATA_TABLE_NAMES) {
    const entry = seen.get(name);
    if (entry === undefined) {
      const table = where === "" ? name : `${where.toUpperCase()}.${name}`;
      throw sourceError(
        "does not exist in the session's database and schema, or the role cannot see it (not in INFORMATION_SCHEMA.TABLES)",
        `Snowflake table ${table}`,
      );
    }
    hash.update(`${name}\0${entry}\n`);
  }
  return hash.digest("hex");
}

/** How one load reads: batch size for streams, and when and how tables go through a stage. */
interface LoadPlan {
  readonly batchRows: number;
  readonly syncId: string;
  readonly bulk: "auto" | "on" | "off";
  readonly bulkMinRows: number;
  readonly settings: BulkSettings;
}

/**
 * Pins one instant from Snowflake's clock, counts every table at it (the builder checks
 * that exactly these many rows arrive), and returns feeds that read each table at it: a
 * stream of batches, or, for a table the bulk setting picks, an unload through a stage that
 * the builder fetches as Parquet files when the table's turn comes. Files left on a named
 * stage by a crashed sync are removed first; the downloaded files are removed by `release`.
 */
async function load(client: SnowflakeClient, plan: LoadPlan): Promise<SourceLoad> {
  const now = await client.query(CURRENT_TIMESTAMP_SQL, [], {
    what: "reading Snowflake's current time",
    nativeTypes: true,
  });
  const value = now.rows[0]?.[0];
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw snowflakeUnavailable(
      "query",
      `Snowflake answered CURRENT_TIMESTAMP() with ${String(value)}, not a timestamp`,
    );
  }
  const at = new Date(value.getTime());
  const bind = timestampBind(at);
  const tables = {} as Record<BaseTable, TableFeed>;
  let dir: Promise<string> | undefined;
  for (const table of SNOWFLAKE_TABLES) {
    const counted = await client.query(COUNT_AT_SQL[table], [bind], {
      what: `counting ${table} at ${bind}`,
    });
    const expectedRows = Number(counted.rows[0]?.[0]);
    if (!Number.isSafeInteger(expectedRows) || expectedRows < 0) {
      throw snowflakeUnavailable(
        "query",
        `Snowflake counted ${String(counted.rows[0]?.[0])} rows in ${table}, not a row count`,
      );
    }
    const bulk = plan.bulk === "on" || (plan.bulk === "auto" && expectedRows >= plan.bulkMinRows);
    if (bulk) {
      if (dir === undefined && plan.settings.stage !== undefined) {
        await removeLeftovers(client, plan.settings.stage);
      }
      dir ??= bulkDownloadDir();
      const folder = dir;
      tables[table] = {
        kind: "files",
        expectedRows,
        fetch: async (onProgress) => {
          const tableDir = join(await folder, table);
          await mkdir(tableDir, { recursive: true });
          return fetchTable(
            client,
            plan.settings,
            { syncId: plan.syncId, table, at: bind, dir: tableDir },
            onProgress,
          );
        },
      };
    } else {
      tables[table] = {
        kind: "rows",
        expectedRows,
        batches: client.stream(SELECT_AT_SQL[table], [bind], {
          what: `streaming ${table} at ${bind}`,
          batchRows: plan.batchRows,
        }),
      };
    }
  }
  const folder = dir;
  return {
    prepare: [],
    tables,
    dropped: [],
    dataAsOf: at,
    ...(folder === undefined
      ? {}
      : { release: async () => rm(await folder, { recursive: true, force: true }) }),
  };
}

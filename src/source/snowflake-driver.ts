import type { Connection, ConnectionOptions, RowStatement, SnowflakeError } from "snowflake-sdk";
import type { SnowflakeConfig } from "../config.js";
import { rowBatches } from "./row-batches.js";
import { leaseSession, returnSession } from "./session-leases.js";
import type {
  Bind,
  DriverOptions,
  QueryResult,
  ResultColumn,
  SnowflakeClient,
  TextRow,
} from "./snowflake-client.js";
import { type ErrorContext, snowflakeUnavailable, toSnowflakeError } from "./snowflake-errors.js";

// The driver probes cloud metadata addresses when it is loaded unless this is set first. It is
// loaded only by the dynamic import below, which runs after this line (static imports are
// hoisted, so the driver is never imported statically anywhere).
process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = "true";

type Sdk = typeof import("snowflake-sdk");
type DriverPool = ReturnType<Sdk["createPool"]>;

let driverLog: (message: string) => void = (message) =>
  process.stderr.write(`snowflake-sdk: ${message}\n`);
let sdkLoaded: Promise<Sdk> | undefined;

/**
 * Loads and configures the driver once per process: errors and warnings only, through a
 * custom logger, so the driver never creates `snowflake.log` in the working directory.
 */
function loadSdk(): Promise<Sdk> {
  process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = "true";
  sdkLoaded ??= import("snowflake-sdk").then((module) => {
    const sdk = (module as { default?: Sdk }).default ?? module;
    const ignore = (): void => undefined;
    sdk.configure({
      logLevel: "ERROR",
      customLogger: {
        error: (message) => driverLog(message),
        warn: (message) => driverLog(message),
        info: ignore,
        debug: ignore,
        trace: ignore,
      },
    });
    return sdk;
  });
  return sdkLoaded;
}

/** Connection options from the configuration: password, or key pair when a key path is set. */
function connectionOptions(config: SnowflakeConfig, options: DriverOptions): ConnectionOptions {
  const optional = {
    ...(config.accessUrl === undefined ? {} : { accessUrl: config.accessUrl }),
    ...(config.warehouse === undefined ? {} : { warehouse: config.warehouse }),
    ...(config.database === undefined ? {} : { database: config.database }),
    ...(config.schema === undefined ? {} : { schema: config.schema }),
    ...(config.role === undefined ? {} : { role: config.role }),
  };
  const auth =
    config.privateKeyPath === undefined
      ? { password: config.password ?? "" }
      : { authenticator: "SNOWFLAKE_JWT", privateKeyPath: config.privateKeyPath };
  return {
    account: config.account,
    username: config.user,
    ...optional,
    ...auth,
    application: "customer-analytics",
    fetchAsString: ["Number", "Date"],
    representNullAsStringNull: false,
    rowMode: "array",
    sfRetryMaxLoginRetries: options.loginRetries,
  };
}

/** Whether the session that raised `err` can no longer be used. */
function isFatal(err: unknown): boolean {
  if (err === null || typeof err !== "object") return false;
  const fields = err as Record<string, unknown>;
  return fields.isFatal === true || fields.code === "407002" || fields.code === 407002;
}

function describeColumns(statement: RowStatement): ResultColumn[] {
  return (statement.getColumns() ?? []).map((column) => ({
    name: column.getName(),
    type: column.getType(),
    scale: column.getScale() ?? 0,
  }));
}

/**
 * Converts a streamed row to text. Streams fetch NUMBER as its exact text but DATE natively:
 * the driver's own date-to-text formatting costs more than everything else in a row, while a
 * DATE arrives as a `Date` at UTC midnight whose ISO form starts with `YYYY-MM-DD`.
 */
function textRow(types: readonly string[]): (row: unknown) => TextRow {
  return (row) => {
    if (!Array.isArray(row)) throw new Error("the driver returned a row that is not an array");
    // The driver builds a fresh array per row, so it is converted in place (less garbage).
    const values = row as unknown[];
    for (let index = 0; index < values.length; index++) {
      const value = values[index];
      if (value === undefined) values[index] = null;
      else if (value instanceof Date) {
        const iso = value.toISOString();
        values[index] = types[index] === "date" ? iso.slice(0, 10) : iso;
      } else if (value !== null && typeof value !== "string") values[index] = String(value);
    }
    return values as TextRow;
  };
}

/**
 * Creates the client. The driver is imported and the pool created on first use, so building
 * the source costs nothing and a process that never syncs never loads the driver.
 */
export function snowflakeClient(config: SnowflakeConfig, options: DriverOptions): SnowflakeClient {
  if (options.log !== undefined) driverLog = options.log;
  const url = config.accessUrl ?? `https://${config.account}.snowflakecomputing.com`;
  const secrets = [config.password ?? ""];
  const context = (what: string): ErrorContext => ({ user: config.user, url, secrets, what });
  const parameters = (seconds: number) => ({
    STATEMENT_TIMEOUT_IN_SECONDS: Math.max(1, Math.ceil(seconds)),
    DATE_OUTPUT_FORMAT: "YYYY-MM-DD",
  });
  let pool: Promise<DriverPool> | undefined;
  let closed = false;
  const ready = (): Promise<DriverPool> => {
    if (closed) throw snowflakeUnavailable("unreachable", "the Snowflake source is closed");
    // destroyTimeoutMillis is a generic-pool option its typings leave out: it bounds the
    // session delete, so closing cannot hang on an unreachable Snowflake.
    const poolOptions = {
      max: options.poolSize,
      min: 0,
      acquireTimeoutMillis: options.connectTimeoutMs,
      destroyTimeoutMillis: 5_000,
      idleTimeoutMillis: 15 * 60_000,
      evictionRunIntervalMillis: 60_000,
    };
    pool ??= loadSdk().then((sdk) =>
      sdk.createPool(connectionOptions(config, options), poolOptions),
    );
    return pool;
  };

  const acquire = async (deadline: number, what: string): Promise<Connection> =>
    leaseSession(await ready(), deadline, what, {
      url,
      loginError: (err) => toSnowflakeError(err, context(`logging in as ${config.user}`)),
    });

  const giveBack = async (connection: Connection, broken: boolean): Promise<void> => {
    if (pool !== undefined) await returnSession(await pool, connection, broken);
  };

  return {
    url,
    async query(sql, binds, queryOptions) {
      const timeoutMs = queryOptions.timeoutMs ?? options.statementTimeoutSeconds * 1000;
      const deadline = Date.now() + timeoutMs;
      const connection = await acquire(
        Math.min(deadline, Date.now() + options.connectTimeoutMs),
        queryOptions.what,
      );
      let broken = false;
      try {
        return await new Promise<QueryResult>((resolve, reject) => {
          let timer: NodeJS.Timeout | undefined;
          const statement = connection.execute({
            sqlText: sql,
            ...(binds.length > 0 ? { binds: [...binds] } : {}),
            ...(queryOptions.nativeTypes === true ? { fetchAsString: [] } : {}),
            rowMode: "array",
            parameters: parameters(timeoutMs / 1000),
            complete: (err: SnowflakeError | undefined, done, rows) => {
              clearTimeout(timer);
              if (err !== undefined && err !== null) {
                broken = isFatal(err);
                reject(toSnowflakeError(err, context(queryOptions.what)));
                return;
              }
              resolve({ columns: describeColumns(done), rows: (rows ?? []) as unknown[][] });
            },
          });
          timer = setTimeout(
            () => {
              statement.cancel(() => undefined);
              reject(
                snowflakeUnavailable(
                  "timeout",
                  `Snowflake did not answer within ${timeoutMs} ms while ${queryOptions.what}; the statement was canceled`,
                ),
              );
            },
            Math.max(0, deadline - Date.now()),
          );
        });
      } finally {
        await giveBack(connection, broken);
      }
    },

    async *stream(sql, binds, streamOptions) {
      const { what } = streamOptions;
      const connection = await acquire(Date.now() + options.connectTimeoutMs, what);
      let broken = false;
      try {
        const statement = await startStream(connection, sql, binds, what);
        yield* rowBatches(statement.streamRows(), {
          batchRows: streamOptions.batchRows,
          idleTimeoutMs: options.streamIdleTimeoutMs,
          convert: textRow(describeColumns(statement).map((column) => column.type)),
          stalled: () =>
            snowflakeUnavailable(
              "timeout",
              `no rows arrived from Snowflake for ${options.streamIdleTimeoutMs} ms while ${what}; the read was abandoned`,
            ),
        });
      } catch (err) {
        broken = isFatal(err);
        throw toSnowflakeError(err, context(what));
      } finally {
        await giveBack(connection, broken);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      if (pool === undefined) return;
      const driverPool = await pool;
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 5_000);
      });
      await Promise.race([driverPool.drain(), waited]);
      clearTimeout(timer);
      await driverPool.clear();
    },
  };

  /**
   * Sends a streamed statement and waits for its first response; a statement that does not
   * answer within the statement timeout is canceled here too (not only by Snowflake), so a
   * hung query cannot hang a sync.
   */
  function startStream(
    connection: Connection,
    sql: string,
    binds: readonly Bind[],
    what: string,
  ): Promise<RowStatement> {
    const limitMs = options.statementTimeoutSeconds * 1000;
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const statement = connection.execute({
        sqlText: sql,
        ...(binds.length > 0 ? { binds: [...binds] } : {}),
        streamResult: true,
        fetchAsString: ["Number"],
        rowMode: "array",
        parameters: parameters(options.statementTimeoutSeconds),
        complete: (err: SnowflakeError | undefined, done) => {
          clearTimeout(timer);
          if (err !== undefined && err !== null) reject(err);
          else resolve(done);
        },
      });
      timer = setTimeout(() => {
        statement.cancel(() => undefined);
        reject(
          snowflakeUnavailable(
            "timeout",
            `Snowflake did not answer within ${limitMs} ms while ${what}; the statement was canceled`,
          ),
        );
      }, limitMs);
    });
  }
}

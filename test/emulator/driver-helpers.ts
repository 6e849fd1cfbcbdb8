/**
 * Helpers for tests that drive the real `snowflake-sdk` against the emulator: loading the
 * driver safely (platform detection off, quiet logger that writes no `snowflake.log`),
 * connecting, and promise wrappers around `execute`, `streamRows`, `cancel` and `destroy`.
 *
 * @module
 */
import type { Connection, ConnectionOptions, RowStatement, SnowflakeError } from "snowflake-sdk";

/** The driver module. */
export type SnowflakeSdk = typeof import("snowflake-sdk");

/** A row as the driver returns it in object mode. */
export type DriverRow = Record<string, unknown>;

let loaded: Promise<SnowflakeSdk> | undefined;

/**
 * Imports `snowflake-sdk` after setting `SNOWFLAKE_DISABLE_PLATFORM_DETECTION=true` (the
 * driver otherwise probes cloud metadata addresses at import) and configures its logger:
 * level ERROR, console only (`logFilePath: "STDOUT"`), so no `snowflake.log` is created in
 * the working directory.
 */
export function loadSnowflake(): Promise<SnowflakeSdk> {
  process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = "true";
  loaded ??= import("snowflake-sdk").then((module) => {
    const sdk = (module as { default?: SnowflakeSdk }).default ?? module;
    sdk.configure({ logLevel: "ERROR", logFilePath: "STDOUT" });
    return sdk;
  });
  return loaded;
}

/**
 * Creates a connection to the emulator at `url` (user `analytics`, password `emulator`) and
 * connects. With `authenticator: "SNOWFLAKE_JWT"` the password is left out.
 */
export async function connectDriver(
  url: string,
  overrides: Partial<ConnectionOptions> = {},
): Promise<Connection> {
  const sdk = await loadSnowflake();
  const options: ConnectionOptions = {
    accessUrl: url,
    account: "emulator",
    username: "analytics",
    password: "emulator",
    database: "ANALYTICS",
    schema: "PUBLIC",
    warehouse: "EMULATOR_WH",
    ...overrides,
  };
  if (options.authenticator === "SNOWFLAKE_JWT") delete options.password;
  const connection = sdk.createConnection(options);
  await new Promise<void>((resolve, reject) => {
    connection.connect((err) => (err ? reject(err) : resolve()));
  });
  return connection;
}

/** Options for {@link run}. */
export interface RunOptions {
  readonly binds?: readonly (string | number | boolean | null)[];
  readonly fetchAsString?: readonly (
    | "String"
    | "Boolean"
    | "Number"
    | "Date"
    | "JSON"
    | "Buffer"
  )[];
}

/** Executes a statement and collects its rows; rejects with the driver's error. */
export function run(
  connection: Connection,
  sqlText: string,
  options: RunOptions = {},
): Promise<DriverRow[]> {
  return new Promise((resolve, reject) => {
    connection.execute({
      sqlText,
      ...(options.binds === undefined ? {} : { binds: [...options.binds] }),
      ...(options.fetchAsString === undefined ? {} : { fetchAsString: [...options.fetchAsString] }),
      complete: (err, _statement, rows) =>
        err ? reject(err) : resolve((rows ?? []) as DriverRow[]),
    });
  });
}

/** Executes with `streamResult: true`; resolves with the statement once the first response arrived. */
export function executeStreaming(connection: Connection, sqlText: string): Promise<RowStatement> {
  return new Promise((resolve, reject) => {
    connection.execute({
      sqlText,
      streamResult: true,
      complete: (err, statement) => (err ? reject(err) : resolve(statement as RowStatement)),
    });
  });
}

/** Starts a statement and returns it with a promise of its outcome (for cancel tests). */
export function start(
  connection: Connection,
  sqlText: string,
): {
  statement: RowStatement;
  outcome: Promise<{ err: SnowflakeError | undefined; rows: DriverRow[] }>;
} {
  let settle: (value: { err: SnowflakeError | undefined; rows: DriverRow[] }) => void = () =>
    undefined;
  const outcome = new Promise<{ err: SnowflakeError | undefined; rows: DriverRow[] }>((resolve) => {
    settle = resolve;
  });
  const statement = connection.execute({
    sqlText,
    complete: (err, _statement, rows) => settle({ err, rows: (rows ?? []) as DriverRow[] }),
  });
  return { statement, outcome };
}

/** Cancels a statement; resolves with the driver's error, if any. */
export function cancel(statement: RowStatement): Promise<SnowflakeError | undefined> {
  return new Promise((resolve) => statement.cancel((err) => resolve(err ?? undefined)));
}

/** Closes a connection (`POST /session?delete=true`), ignoring errors. */
export function destroy(connection: Connection): Promise<void> {
  return new Promise((resolve) => {
    connection.destroy(() => resolve());
  });
}

/** Awaits `promise` but rejects after `ms` (keeps tests from hanging). */
export async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` every 20 ms until it returns true, at most `ms`. */
export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  ms: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/**
 * The name every {@link SnowflakeUnavailableError} carries; the guard checks it rather than
 * `instanceof`, so the error is recognised across module copies, as `SourceError` is.
 */
const snowflakeUnavailableName = "SnowflakeUnavailableError";

/**
 * Why Snowflake could not answer, so callers (the syncer's status, the read router, the
 * operator reading a log line) can tell a wrong password from an outage or a slow query.
 */
export type SnowflakeFailure =
  | "credentials"
  | "unreachable"
  | "timeout"
  | "busy"
  | "canceled"
  | "session"
  | "download"
  | "query";

/**
 * Snowflake did not answer: the credentials were refused, the account was unreachable, the
 * statement timed out or was canceled, the session ended, a result download failed, or the
 * statement itself failed. It exists so that nothing outside `src/source` needs to know the
 * driver's error shapes; the query layer maps it to UNAVAILABLE and the syncer records its
 * message. Messages name the user and URL but never a password or key.
 */
export class SnowflakeUnavailableError extends Error {
  override readonly name: typeof snowflakeUnavailableName = snowflakeUnavailableName;
  /** What kind of failure this was. */
  readonly reason: SnowflakeFailure;
  /** Snowflake's or the driver's error code (`"390100"`, `"000604"`), when there was one. */
  readonly code: string | undefined;
  /** The SQL state Snowflake reported, when there was one. */
  readonly sqlState: string | undefined;

  /** @param message A complete sentence for a person; it must not contain secrets. */
  constructor(
    reason: SnowflakeFailure,
    message: string,
    details: { code?: string | undefined; sqlState?: string | undefined } = {},
  ) {
    super(message);
    this.reason = reason;
    this.code = details.code;
    this.sqlState = details.sqlState;
  }
}

/** Whether `arg` is a {@link SnowflakeUnavailableError}, also when it crossed a module boundary. */
export function isSnowflakeUnavailableError(arg: unknown): arg is SnowflakeUnavailableError {
  return (
    arg instanceof Error &&
    arg.name === snowflakeUnavailableName &&
    "reason" in arg &&
    typeof arg.reason === "string"
  );
}

/** What an error message may mention, and what it must never contain. */
export interface ErrorContext {
  /** The login name, named in credential errors. */
  readonly user: string;
  /** The endpoint, named in network errors. */
  readonly url: string;
  /** Values removed from any message (the password, the key passphrase). */
  readonly secrets: readonly string[];
  /** What was being done, e.g. `"streaming customers"`, for the generic failure message. */
  readonly what: string;
}

const NETWORK =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|EPIPE|socket hang up|network error|timeout of \d+ms exceeded/i;
const WRONG_PASSWORD = /incorrect username or password/i;
const BAD_JWT = /JWT token is invalid/i;
const SESSION_CODES = new Set(["390111", "390112", "390114", "390104", "407001", "407002"]);

/**
 * Turns whatever the driver (or the connection pool in front of it) threw into a
 * {@link SnowflakeUnavailableError} with a message a person can act on. The pool hands login
 * failures over as a plain `Error` with the message only, so credentials and network problems
 * are recognised by their text as well as by their code.
 */
export function toSnowflakeError(err: unknown, context: ErrorContext): SnowflakeUnavailableError {
  if (isSnowflakeUnavailableError(err)) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const fields = err !== null && typeof err === "object" ? (err as Record<string, unknown>) : {};
  const code = fields.code === undefined || fields.code === null ? undefined : String(fields.code);
  const sqlState = typeof fields.sqlState === "string" ? fields.sqlState : undefined;
  const details = { code, sqlState };
  const detail = redact(raw.trim() === "" ? "no message" : raw.trim(), context.secrets);
  if (code === "390100" || WRONG_PASSWORD.test(raw)) {
    return new SnowflakeUnavailableError(
      "credentials",
      `Snowflake rejected the credentials for user ${context.user} (390100)`,
      { code: "390100", sqlState },
    );
  }
  if (code === "390144" || BAD_JWT.test(raw)) {
    return new SnowflakeUnavailableError(
      "credentials",
      `Snowflake rejected the key-pair (JWT) credentials for user ${context.user} (390144)`,
      { code: "390144", sqlState },
    );
  }
  if (code === "000604" || sqlState === "57014") {
    const timedOut = /timeout/i.test(raw);
    return new SnowflakeUnavailableError(
      timedOut ? "timeout" : "canceled",
      `Snowflake ${timedOut ? "timed out" : "canceled"} the statement while ${context.what}: ${detail}`,
      details,
    );
  }
  if (code === "000630") {
    return new SnowflakeUnavailableError(
      "timeout",
      `Snowflake stopped the statement at its timeout while ${context.what}: ${detail}`,
      details,
    );
  }
  if (code !== undefined && SESSION_CODES.has(code)) {
    return new SnowflakeUnavailableError(
      "session",
      `the Snowflake session ended while ${context.what} and could not be renewed: ${detail} (${code})`,
      details,
    );
  }
  if (code === "402002") {
    return new SnowflakeUnavailableError(
      "download",
      `downloading a result chunk from Snowflake failed while ${context.what}: ${detail} (402002)`,
      details,
    );
  }
  if (NETWORK.test(raw) || code === "401001") {
    return new SnowflakeUnavailableError(
      "unreachable",
      `cannot reach Snowflake at ${context.url} while ${context.what}: ${detail}`,
      details,
    );
  }
  const suffix =
    code === undefined ? "" : ` (${code}${sqlState === undefined ? "" : `/${sqlState}`})`;
  return new SnowflakeUnavailableError(
    "query",
    `Snowflake failed while ${context.what}: ${detail}${suffix}`,
    details,
  );
}

/** Replaces every occurrence of each secret in `text`, so no message can leak one. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join("[redacted]");
  }
  return out;
}

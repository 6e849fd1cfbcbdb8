import { AppError } from "../app-error.js";

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
 * statement itself failed. An `unavailable` {@link AppError} whose `reason` is the
 * {@link SnowflakeFailure}, so that nothing outside `src/source` needs to know the driver's
 * error shapes: the syncer records the message, a caller is told only the reason. Messages name
 * the user and URL but never a password or key.
 */
export function snowflakeUnavailable(
  reason: SnowflakeFailure,
  message: string,
  details: { code?: string | undefined; sqlState?: string | undefined } = {},
): AppError {
  return new AppError("unavailable", message, { reason, ...details });
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
 * Snowflake-unavailable {@link AppError} with a message a person can act on. The pool hands login
 * failures over as a plain `Error` with the message only, so credentials and network problems
 * are recognised by their text as well as by their code.
 */
export function toSnowflakeError(err: unknown, context: ErrorContext): AppError {
  if (err instanceof AppError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const fields = err !== null && typeof err === "object" ? (err as Record<string, unknown>) : {};
  const code = fields.code === undefined || fields.code === null ? undefined : String(fields.code);
  const sqlState = typeof fields.sqlState === "string" ? fields.sqlState : undefined;
  const details = { code, sqlState };
  const detail = redact(raw.trim() === "" ? "no message" : raw.trim(), context.secrets);
  if (code === "390100" || WRONG_PASSWORD.test(raw)) {
    return snowflakeUnavailable(
      "credentials",
      `Snowflake rejected the credentials for user ${context.user} (390100)`,
      { code: "390100", sqlState },
    );
  }
  if (code === "390144" || BAD_JWT.test(raw)) {
    return snowflakeUnavailable(
      "credentials",
      `Snowflake rejected the key-pair (JWT) credentials for user ${context.user} (390144)`,
      { code: "390144", sqlState },
    );
  }
  if (code === "000604" || sqlState === "57014") {
    const timedOut = /timeout/i.test(raw);
    return snowflakeUnavailable(
      timedOut ? "timeout" : "canceled",
      `Snowflake ${timedOut ? "timed out" : "canceled"} the statement while ${context.what}: ${detail}`,
      details,
    );
  }
  if (code === "000630") {
    return snowflakeUnavailable(
      "timeout",
      `Snowflake stopped the statement at its timeout while ${context.what}: ${detail}`,
      details,
    );
  }
  if (code !== undefined && SESSION_CODES.has(code)) {
    return snowflakeUnavailable(
      "session",
      `the Snowflake session ended while ${context.what} and could not be renewed: ${detail} (${code})`,
      details,
    );
  }
  if (code === "402002") {
    return snowflakeUnavailable(
      "download",
      `downloading a result chunk from Snowflake failed while ${context.what}: ${detail} (402002)`,
      details,
    );
  }
  if (NETWORK.test(raw) || code === "401001") {
    return snowflakeUnavailable(
      "unreachable",
      `cannot reach Snowflake at ${context.url} while ${context.what}: ${detail}`,
      details,
    );
  }
  const suffix =
    code === undefined ? "" : ` (${code}${sqlState === undefined ? "" : `/${sqlState}`})`;
  return snowflakeUnavailable(
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

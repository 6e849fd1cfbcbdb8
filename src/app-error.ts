/**
 * What kind of failure an {@link AppError} is. The kinds are the service's own words; the API
 * layer's interceptor turns each into one gRPC code, and nothing below it knows about Connect.
 *
 * - `invalid_argument`, `not_found`, `failed_precondition`, `resource_exhausted`,
 *   `deadline_exceeded`: a caller's request that cannot be answered as asked.
 * - `unavailable`: a dependency (Snowflake, a snapshot) cannot answer now; retrying may help.
 * - `invalid_data`: the source's rows or files break the contract (fix the data; the last good
 *   snapshot keeps serving).
 * - `config`: a setting or a file it names is missing or malformed; start-up stops.
 * - `internal`: a fault of ours that the code recognised; its message still leaks nothing.
 */
export type ErrorKind =
  | "invalid_argument"
  | "not_found"
  | "failed_precondition"
  | "resource_exhausted"
  | "deadline_exceeded"
  | "unavailable"
  | "invalid_data"
  | "config"
  | "internal";

/** Optional facts an error carries besides its kind and message. */
export interface ErrorDetails {
  /** The request field at fault, as named in the proto (`customer_id`, `page_token`). */
  readonly field?: string | undefined;
  /** The source file the problem is in (or, for a missing file, the names looked for). */
  readonly file?: string | undefined;
  /** The column the problem is in, when it is about one column. */
  readonly column?: string | undefined;
  /**
   * A short fixed word for why a dependency failed (`"timeout"`, `"credentials"`): what a
   * caller may be told in place of the message, which can hold a user name or an endpoint.
   */
  readonly reason?: string | undefined;
  /** The dependency's own error code (`"390100"`), when it gave one. */
  readonly code?: string | undefined;
  /** The SQL state the dependency reported, when it gave one. */
  readonly sqlState?: string | undefined;
  /** What was caught, kept for the log; never sent to a caller. */
  readonly cause?: unknown;
}

/**
 * The brand every AppError carries. It is a registered symbol (`Symbol.for`), so two copies of
 * this module (a bundle, a test runner's second load) brand alike and `instanceof` holds across
 * them, as connect-es arranges for its own error class; a look-alike built by hand does not pass.
 */
const brand = Symbol.for("customer-analytics/AppError");

/**
 * The project's one error type: what went wrong, in which kind, with a message written for the
 * person who can act on it (the caller for request errors, the operator for source and
 * configuration errors) and never a stack, SQL or a secret. One type with a `kind`, instead of
 * one class per layer, is what lets the syncer record and the interceptor map every failure the
 * same way.
 */
export class AppError extends Error {
  override readonly name: string = "AppError";
  readonly kind: ErrorKind;
  readonly field: string | undefined;
  readonly file: string | undefined;
  readonly column: string | undefined;
  readonly reason: string | undefined;
  readonly code: string | undefined;
  readonly sqlState: string | undefined;
  readonly [brand] = true;

  constructor(kind: ErrorKind, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.field = details.field;
    this.file = details.file;
    this.column = details.column;
    this.reason = details.reason;
    this.code = details.code;
    this.sqlState = details.sqlState;
  }

  /** Recognises any branded error, also one made by another copy of this module. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === "object" &&
      value !== null &&
      (value as { [brand]?: unknown })[brand] === true &&
      typeof (value as { kind?: unknown }).kind === "string"
    );
  }
}

/** Whether `err` is an {@link AppError} of `kind`. */
export function isErrorKind(err: unknown, kind: ErrorKind): err is AppError {
  return err instanceof AppError && err.kind === kind;
}

/** The kind of anything caught: an AppError's own, `internal` for everything else. */
export function kindOf(err: unknown): ErrorKind {
  return err instanceof AppError ? err.kind : "internal";
}

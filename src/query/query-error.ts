/**
 * What went wrong with a question, in the query layer's own words. The API layer maps each kind
 * to one gRPC code in a single place (`src/api/connect-error-from.ts`), so nothing below the API
 * needs to know about Connect.
 */
export type QueryErrorKind =
  | "invalid_argument"
  | "not_found"
  | "unavailable"
  | "failed_precondition"
  | "deadline_exceeded"
  | "resource_exhausted"
  | "already_exists"
  | "aborted";

const queryErrorName = "QueryError";

/**
 * A domain error a caller can act on: an unknown id, a bad argument naming its field, a source
 * that cannot answer. Messages are written for the caller and never contain a stack or SQL.
 */
export class QueryError extends Error {
  override readonly name = queryErrorName;
  /** The request field at fault, as named in the proto (`customer_id`, `page_token`). */
  readonly field: string | undefined;

  constructor(
    readonly kind: QueryErrorKind,
    message: string,
    options: { field?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.field = options.field;
  }
}

/**
 * Recognises a {@link QueryError} by its name rather than `instanceof`, so that an error that
 * crossed a module copy boundary is still recognised.
 */
export function isQueryError(err: unknown): err is QueryError {
  return err instanceof Error && err.name === queryErrorName && "kind" in err;
}

import { Code, ConnectError } from "@connectrpc/connect";
import { isQueryError, type QueryErrorKind } from "../query/query-error.js";

const codeOf: Readonly<Record<QueryErrorKind, Code>> = {
  invalid_argument: Code.InvalidArgument,
  not_found: Code.NotFound,
  unavailable: Code.Unavailable,
  failed_precondition: Code.FailedPrecondition,
  deadline_exceeded: Code.DeadlineExceeded,
  resource_exhausted: Code.ResourceExhausted,
};

/**
 * The one place where errors become gRPC status codes. Domain errors keep their message and
 * gain their code; a ConnectError (from validation, deadlines, the router) passes through;
 * anything else is a fault of ours, reported as INTERNAL with a message that leaks nothing,
 * while the caller of this function logs the original.
 */
export function connectErrorFrom(err: unknown, signal?: AbortSignal): ConnectError {
  if (signal?.aborted === true) {
    return signal.reason instanceof ConnectError
      ? signal.reason
      : new ConnectError("the call was cancelled or its deadline passed", Code.DeadlineExceeded);
  }
  if (err instanceof ConnectError) return err;
  if (isQueryError(err)) {
    const metadata = err.field === undefined ? undefined : { "x-field": err.field };
    return new ConnectError(err.message, codeOf[err.kind], metadata);
  }
  return new ConnectError("the server failed to answer; the error was logged", Code.Internal);
}

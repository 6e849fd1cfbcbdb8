import { Code, ConnectError } from "@connectrpc/connect";
import { isQueryError, type QueryErrorKind } from "../query/query-error.js";

const codeOf: Readonly<Record<QueryErrorKind, Code>> = {
  invalid_argument: Code.InvalidArgument,
  not_found: Code.NotFound,
  unavailable: Code.Unavailable,
  failed_precondition: Code.FailedPrecondition,
  deadline_exceeded: Code.DeadlineExceeded,
  resource_exhausted: Code.ResourceExhausted,
  already_exists: Code.AlreadyExists,
  aborted: Code.Aborted,
};

/**
 * The longest status message sent. Over gRPC the message travels percent-encoded in the
 * `grpc-message` trailer, and HTTP/2 peers refuse header blocks past a few tens of kB: a
 * message that echoes a 100 kB request field (an unknown health service name, say) would
 * break the answer itself, which the caller sees as INTERNAL.
 */
const MAX_MESSAGE_CHARS = 1024;

/**
 * The one place where errors become gRPC status codes. Domain errors keep their message and
 * gain their code; a ConnectError (from validation, deadlines, the router) passes through;
 * anything else is a fault of ours, reported as INTERNAL with a message that leaks nothing,
 * while the caller of this function logs the original. Messages are cut to
 * {@link MAX_MESSAGE_CHARS}.
 */
export function connectErrorFrom(err: unknown, signal?: AbortSignal): ConnectError {
  return bounded(mapped(err, signal));
}

function mapped(err: unknown, signal?: AbortSignal): ConnectError {
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

function bounded(err: ConnectError): ConnectError {
  const message = err.rawMessage;
  if (message.length <= MAX_MESSAGE_CHARS) return err;
  // Never cut a surrogate pair in half: a lone surrogate cannot be percent-encoded.
  const end = /[\uD800-\uDBFF]/.test(message[MAX_MESSAGE_CHARS - 1] ?? "")
    ? MAX_MESSAGE_CHARS - 1
    : MAX_MESSAGE_CHARS;
  const short = new ConnectError(
    `${message.slice(0, end)}… (cut from ${message.length} characters)`,
    err.code,
    err.metadata,
    undefined,
    err.cause,
  );
  short.details = err.details;
  return short;
}

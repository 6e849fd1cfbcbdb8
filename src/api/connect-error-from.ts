import { Code, ConnectError } from "@connectrpc/connect";
import { AppError, type ErrorKind } from "../app-error.js";

const codeOf: Readonly<Record<ErrorKind, Code>> = {
  invalid_argument: Code.InvalidArgument,
  not_found: Code.NotFound,
  unavailable: Code.Unavailable,
  failed_precondition: Code.FailedPrecondition,
  deadline_exceeded: Code.DeadlineExceeded,
  resource_exhausted: Code.ResourceExhausted,
  invalid_data: Code.FailedPrecondition,
  config: Code.FailedPrecondition,
  internal: Code.Internal,
};

/**
 * The longest status message sent. Over gRPC the message travels percent-encoded in the
 * `grpc-message` trailer, and HTTP/2 peers refuse header blocks past a few tens of kB: a
 * message that echoes a 100 kB request field (an unknown health service name, say) would
 * break the answer itself, which the caller sees as INTERNAL.
 */
const MAX_MESSAGE_CHARS = 1024;

/**
 * The one place where errors become gRPC status codes, called only by the observe interceptor
 * (unary answers and every message of a stream pass through it). An {@link AppError} keeps its
 * message and gains its kind's code (an `internal` one is reported like any other fault); a ConnectError (from validation, deadlines, the router) passes through;
 * anything else is a fault of ours, reported as INTERNAL with a message that leaks nothing,
 * while the caller of this function logs the original. Messages are cut to
 * {@link MAX_MESSAGE_CHARS}.
 */
export function connectErrorFrom(err: unknown, signal?: AbortSignal): ConnectError {
  return bounded(mapped(err, signal));
}

function mapped(err: unknown, signal?: AbortSignal): ConnectError {
  if (signal?.aborted === true) {
    // Deadlines abort with a ConnectError of their own; any other abort is the caller leaving.
    return signal.reason instanceof ConnectError
      ? signal.reason
      : new ConnectError("the call was cancelled by the caller", Code.Canceled);
  }
  if (err instanceof ConnectError) return err;
  if (err instanceof AppError && err.kind !== "internal") {
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

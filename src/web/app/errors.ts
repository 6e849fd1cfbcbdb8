import { Code, ConnectError } from "@connectrpc/connect";

/**
 * An error as a sentence a person can act on: what went wrong and, where there is one, what to
 * do about it. The server's own message (which names the field at fault) is kept.
 */
export function inWords(err: unknown): string {
  const e = ConnectError.from(err);
  const said = e.rawMessage;
  switch (e.code) {
    case Code.Unauthenticated:
      return `This service needs an API key: enter yours in the key field at the top right. (${said})`;
    case Code.PermissionDenied:
      return `Your key is not allowed to do that. (${said})`;
    case Code.InvalidArgument:
      return `The service did not accept the request: ${said}`;
    case Code.NotFound:
      return `Not found: ${said}`;
    case Code.ResourceExhausted:
      return `That is too much at once: ${said}`;
    case Code.Unavailable:
      return `The service cannot answer right now: ${said}`;
    case Code.DeadlineExceeded:
      return "The answer took too long; try again, or ask for less.";
    case Code.Canceled:
      return "The request was cancelled.";
    case Code.Unknown:
      if (/fetch|network/i.test(said)) return "Could not reach the service: is it running?";
      return `The service failed to answer (${said}). Try again; if it keeps failing, check its log.`;
    case Code.Internal:
      return `The service failed to answer (${said}). Try again; if it keeps failing, check its log.`;
    default:
      return `Something went wrong: ${said}`;
  }
}

/** Whether an error only says the call was cancelled on purpose (a page left, a stream stopped). */
export function isCancel(err: unknown): boolean {
  return ConnectError.from(err).code === Code.Canceled;
}

/**
 * What makes two section errors "the same" for a page: a condition of the whole service (no
 * snapshot, no key, a refused key, no connection) is one condition whatever the wording, which
 * can differ between calls (the next retry's time moves on); any other error is its own text.
 */
export function sameErrorKey(err: unknown): string {
  const e = ConnectError.from(err);
  switch (e.code) {
    case Code.Unavailable:
    case Code.Unauthenticated:
    case Code.PermissionDenied:
      return `code:${e.code}`;
    default:
      return inWords(err);
  }
}

import { randomUUID } from "node:crypto";
import { Code, ConnectError, createContextKey, type Interceptor } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import type { Logger } from "pino";
import { connectErrorFrom } from "../api/connect-error-from.js";
import { kPrincipal } from "./auth/roles.js";
import type { AnswerSource, Metrics } from "./metrics.js";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The current call's request id (also returned as `x-request-id`), so a handler that logs can
 * tie its line to the RPC's.
 */
export const kRequestId = createContextKey<string>("", { description: "the call's request id" });

/**
 * The outermost interceptor: gives each call a request id (the caller's `x-request-id` when it
 * sent a sane one), maps every error through {@link connectErrorFrom}, and writes one JSON log
 * line per call with procedure, protocol, code, duration, the caller's name (never its
 * credential) and where the answer came from; counts the same in `metrics`. Server streams
 * are followed to their end, so an error in the middle of one is mapped and logged too. A
 * fault of ours is logged with its stack here and reaches the caller as a bare INTERNAL.
 */
export function observeInterceptor(log: Logger, metrics?: Metrics): Interceptor {
  return (next) => async (req) => {
    const started = performance.now();
    const given = req.header.get("x-request-id");
    const requestId = given !== null && REQUEST_ID.test(given) ? given : randomUUID();
    req.contextValues.set(kRequestId, requestId);
    const line = {
      requestId,
      procedure: `/${req.service.typeName}/${req.method.name}`,
      protocol: protocolOf(req.header.get("content-type")),
    };
    const caller = () => {
      const principal = req.contextValues.get(kPrincipal)?.name;
      return principal === undefined ? {} : { principal };
    };
    const fail = (err: unknown, signal: AbortSignal | undefined = req.signal): ConnectError => {
      const mapped = connectErrorFrom(err, signal);
      mapped.metadata.set("x-request-id", requestId);
      const fields = {
        ...line,
        ...caller(),
        code: codeToString(mapped.code),
        ms: elapsed(started),
      };
      metrics?.rpc(line.procedure, mapped.code, fields.ms / 1000);
      if (mapped.code === Code.Internal) {
        log.error({ ...fields, err }, "rpc failed");
      } else {
        log.info({ ...fields, message: mapped.rawMessage }, "rpc");
      }
      return mapped;
    };
    const succeed = (source: AnswerSource | undefined, messages?: number) => {
      const ms = elapsed(started);
      metrics?.rpc(line.procedure, undefined, ms / 1000);
      if (source !== undefined) metrics?.answer(source);
      const extra = { ...(source && { source }), ...(messages !== undefined && { messages }) };
      log.info({ ...line, ...caller(), code: "ok", ms, ...extra }, "rpc");
    };
    let res: Awaited<ReturnType<typeof next>>;
    try {
      res = await next(req);
    } catch (err) {
      throw fail(err);
    }
    res.header.set("x-request-id", requestId);
    if (!res.stream) {
      succeed(sourceOf(res.message));
      return res;
    }
    const messages = res.message;
    let count = 0;
    let settled = false;
    // A caller that resets the stream or drops the connection while a write waits leaves the
    // stream suspended for good: its end is logged from the call's signal instead.
    const gone = () => {
      if (settled) return;
      settled = true;
      const why = req.signal.reason;
      const err =
        why instanceof ConnectError
          ? why
          : new ConnectError("the caller went away before the stream ended", Code.Canceled);
      fail(err, undefined);
    };
    req.signal.addEventListener("abort", gone, { once: true });
    return {
      ...res,
      message: (async function* observed() {
        try {
          for await (const message of messages) {
            count++;
            yield message;
          }
        } catch (err) {
          if (settled) throw connectErrorFrom(err, req.signal);
          settled = true;
          throw fail(err);
        } finally {
          req.signal.removeEventListener("abort", gone);
        }
        if (!settled) succeed(undefined, count);
        settled = true;
      })(),
    };
  };
}

/**
 * Gives unary calls that brought no deadline (no `grpc-timeout` or `connect-timeout-ms`) the
 * server's default, and makes any deadline answer on time: the call fails with
 * DEADLINE_EXCEEDED when its signal aborts, even while a query is still running underneath.
 * The call's own signal is linked by hand and unlinked when the call settles: connect-es aborts
 * every call's signal once it is answered, and a listener left behind would build an error for
 * a call that already succeeded (measured: a tenth of the server's CPU under load).
 */
export function deadlineInterceptor(defaultMs: number): Interceptor {
  return (next) => async (req) => {
    if (req.stream) return next(req);
    const own = new AbortController();
    const brought = req.header.has("grpc-timeout") || req.header.has("connect-timeout-ms");
    const timer = brought
      ? undefined
      : setTimeout(() => own.abort(defaultDeadlineError(defaultMs)), defaultMs);
    const follow = () => own.abort(req.signal.reason);
    if (req.signal.aborted) follow();
    else req.signal.addEventListener("abort", follow, { once: true });
    try {
      return await Promise.race([next({ ...req, signal: own.signal }), rejectOnAbort(own.signal)]);
    } finally {
      clearTimeout(timer);
      req.signal.removeEventListener("abort", follow);
    }
  };
}

function defaultDeadlineError(defaultMs: number): ConnectError {
  return new ConnectError(
    `no answer within the server's default deadline of ${defaultMs} ms (DEFAULT_DEADLINE); a caller may send its own deadline`,
    Code.DeadlineExceeded,
  );
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () =>
      reject(
        signal.reason instanceof ConnectError
          ? signal.reason
          : new ConnectError(
              "the deadline passed or the call was cancelled",
              Code.DeadlineExceeded,
            ),
      );
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
}

function protocolOf(contentType: string | null): string {
  if (contentType === null) return "unknown";
  if (contentType.startsWith("application/grpc-web")) return "grpc-web";
  if (contentType.startsWith("application/grpc")) return "grpc";
  return "connect";
}

/** The answer's source from its ResultMeta, for the log line and the answers counter. */
function sourceOf(message: unknown): AnswerSource | undefined {
  const meta = (message as { meta?: { source?: number; staleFallback?: boolean } }).meta;
  if (meta?.source === 1) return meta.staleFallback === true ? "stale_fallback" : "snapshot";
  if (meta?.source === 2) return "live";
  return undefined;
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

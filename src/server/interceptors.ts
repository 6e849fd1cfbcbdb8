import { randomUUID } from "node:crypto";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import { connectErrorFrom } from "../api/connect-error-from.js";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The outermost interceptor: gives each call a request id (the caller's `x-request-id` when it
 * sent a sane one), maps every error through {@link connectErrorFrom}, and writes one JSON log
 * line per call with procedure, protocol, code, duration and where the answer came from. A
 * fault of ours is logged with its stack here and reaches the caller as a bare INTERNAL.
 */
export function observeInterceptor(log: Logger): Interceptor {
  return (next) => async (req) => {
    const started = performance.now();
    const given = req.header.get("x-request-id");
    const requestId = given !== null && REQUEST_ID.test(given) ? given : randomUUID();
    const line = {
      requestId,
      procedure: req.url.slice(req.url.lastIndexOf("/", req.url.lastIndexOf("/") - 1)),
      protocol: protocolOf(req.header.get("content-type")),
    };
    try {
      const res = await next(req);
      res.header.set("x-request-id", requestId);
      const source = res.stream ? undefined : sourceOf(res.message);
      log.info({ ...line, code: "ok", ms: elapsed(started), ...(source && { source }) }, "rpc");
      return res;
    } catch (err) {
      const mapped = connectErrorFrom(err, req.signal);
      mapped.metadata.set("x-request-id", requestId);
      const fields = { ...line, code: Code[mapped.code], ms: elapsed(started) };
      if (mapped.code === Code.Internal) {
        log.error({ ...fields, err }, "rpc failed");
      } else {
        log.info({ ...fields, message: mapped.rawMessage }, "rpc");
      }
      throw mapped;
    }
  };
}

/**
 * Gives unary calls that brought no deadline the server's default, and makes any deadline
 * answer on time: the call fails with DEADLINE_EXCEEDED when its signal aborts, even while a
 * query is still running underneath.
 */
export function deadlineInterceptor(defaultMs: number): Interceptor {
  return (next) => async (req) => {
    if (req.stream) return next(req);
    const own = new AbortController();
    const timer = setTimeout(
      () => own.abort(new ConnectError(`no answer within ${defaultMs} ms`, Code.DeadlineExceeded)),
      defaultMs,
    );
    const signal = AbortSignal.any([req.signal, own.signal]);
    try {
      return await Promise.race([next({ ...req, signal }), rejectOnAbort(signal)]);
    } finally {
      clearTimeout(timer);
    }
  };
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

/** The answer's source from its ResultMeta, for the log line. */
function sourceOf(message: unknown): string | undefined {
  const meta = (message as { meta?: { source?: number } }).meta;
  if (meta?.source === 1) return "snapshot";
  if (meta?.source === 2) return "live";
  return undefined;
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

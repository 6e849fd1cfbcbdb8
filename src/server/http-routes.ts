import type * as http from "node:http";
import type * as http2 from "node:http2";
import { cors as connectCors } from "@connectrpc/connect";
import type { AuthOutcome } from "./auth/authenticator.js";
import type { Handler } from "./listen.js";

/** What the plain HTTP routes report on. */
export interface HttpState {
  /** Whether a snapshot is loaded and the server is not shutting down. */
  readonly ready: () => boolean;
  /** A one-line reason when not ready; when ready, a warning to add (a blocked sync) or "". */
  readonly notReadyReason: () => string;
  /** `GET /metrics`: the exposition text, and who may read it (any role when auth is on). */
  readonly metrics?: {
    readonly render: () => Promise<{ body: string; contentType: string }>;
    readonly authorize: (authorization: string | undefined) => AuthOutcome;
  };
}

type Res = http.ServerResponse | http2.Http2ServerResponse;

/**
 * Wraps the RPC handler with the plain HTTP routes of the README (`/healthz`, `/readyz`,
 * `/metrics`, the last behind a credential when auth is on) and CORS for the allowed browser
 * origins (preflight answered here, Connect's header lists).
 */
export function withHttpRoutes(
  rpc: Handler,
  state: HttpState,
  corsOrigins: readonly string[],
): Handler {
  const allowed = new Set(corsOrigins);
  return (req, res) => {
    const origin = req.headers.origin;
    if (origin !== undefined && (allowed.has(origin) || allowed.has("*"))) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("vary", "Origin");
      if (req.method === "OPTIONS") {
        res.setHeader("access-control-allow-methods", connectCors.allowedMethods.join(", "));
        res.setHeader(
          "access-control-allow-headers",
          [...connectCors.allowedHeaders, "Authorization", "X-Request-Id"].join(", "),
        );
        res.setHeader("access-control-max-age", "7200");
        res.statusCode = 204;
        res.end();
        return;
      }
      res.setHeader(
        "access-control-expose-headers",
        [...connectCors.exposedHeaders, "X-Request-Id"].join(", "),
      );
    }
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/healthz") return text(res, 200, "ok\n");
    if (req.method === "GET" && path === "/readyz") {
      const why = state.notReadyReason();
      if (!state.ready()) return text(res, 503, `not ready: ${why}\n`);
      return text(res, 200, why === "" ? "ready\n" : `ready; ${why}\n`);
    }
    if (req.method === "GET" && path === "/metrics" && state.metrics !== undefined) {
      return serveMetrics(state.metrics, req.headers.authorization, res);
    }
    rpc(req, res);
  };
}

function serveMetrics(
  metrics: NonNullable<HttpState["metrics"]>,
  authorization: string | undefined,
  res: Res,
): void {
  const outcome = metrics.authorize(authorization);
  if (outcome.kind === "missing" || outcome.kind === "refused") {
    res.setHeader("www-authenticate", 'Bearer realm="metrics"');
    const why = outcome.kind === "missing" ? "/metrics needs an API key or token" : outcome.reason;
    text(res, 401, `unauthenticated: ${why}\n`);
    return;
  }
  metrics.render().then(
    ({ body, contentType }) => {
      res.statusCode = 200;
      res.setHeader("content-type", contentType);
      res.setHeader("cache-control", "no-store");
      res.end(body);
    },
    () => text(res, 500, "the metrics could not be collected\n"),
  );
}

function text(res: Res, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader("content-type", "text/plain; charset=utf-8");
  res.setHeader("cache-control", "no-store");
  res.end(body);
}

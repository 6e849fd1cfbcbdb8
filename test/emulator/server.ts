/**
 * The HTTP server: routes Snowflake's REST paths to their handlers, applies the latency and
 * HTTP-error faults to protocol requests (not to the admin API), and counts requests.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { handleAdmin } from "./admin-api.js";
import { CHUNK_KEY_HEADER } from "./chunks.js";
import type { EmulatorContext, RequestContext } from "./context.js";
import { readBody, sendJson, sendText, sleep } from "./http-util.js";
import {
  handleHeartbeat,
  handleLogin,
  handleSessionDelete,
  handleTelemetry,
  handleTokenRequest,
} from "./login.js";
import {
  handleAbort,
  handleMonitoring,
  handleQueryRequest,
  handleResult,
} from "./query-request.js";
import { handleStageDownload, isStageDownload } from "./stage-download.js";
import { bump } from "./stats.js";

/** A matched route: its name (for stats) and the handler to run. */
interface Route {
  readonly name: string;
  readonly handle: (ctx: RequestContext) => void | Promise<void>;
}

const ID = "([0-9a-fA-F-]{36})";

/** Finds the route of a protocol request, if any. */
function route(method: string, url: URL): Route | undefined {
  const path = url.pathname;
  let m: RegExpExecArray | null;
  if ((method === "GET" || method === "HEAD") && isStageDownload(path)) {
    return { name: "stage-download", handle: handleStageDownload };
  }
  if (method === "POST") {
    if (path === "/session/v1/login-request") return { name: "login", handle: handleLogin };
    if (path === "/session/token-request")
      return { name: "token-renewal", handle: handleTokenRequest };
    if (path === "/session/heartbeat") return { name: "heartbeat", handle: handleHeartbeat };
    if (path === "/session" && url.searchParams.get("delete") === "true") {
      return { name: "session-delete", handle: handleSessionDelete };
    }
    if (path === "/telemetry/send") return { name: "telemetry", handle: handleTelemetry };
    if (path === "/queries/v1/query-request") return { name: "query", handle: handleQueryRequest };
    if (path === "/queries/v1/abort-request")
      return { name: "abort", handle: (ctx) => handleAbort(ctx, undefined) };
    m = new RegExp(`^/queries/${ID}/abort-request$`).exec(path);
    const abortId = m?.[1];
    if (abortId !== undefined) return { name: "abort", handle: (ctx) => handleAbort(ctx, abortId) };
  }
  if (method === "GET") {
    m = new RegExp(`^/queries/${ID}/result$`).exec(path);
    const resultId = m?.[1];
    if (resultId !== undefined)
      return { name: "result", handle: (ctx) => handleResult(ctx, resultId) };
    m = new RegExp(`^/monitoring/queries/${ID}$`).exec(path);
    const monitorId = m?.[1];
    if (monitorId !== undefined)
      return { name: "monitoring", handle: (ctx) => handleMonitoring(ctx, monitorId) };
    m = new RegExp(`^/__chunks/${ID}/(\\d+)$`).exec(path);
    const chunkQuery = m?.[1];
    const chunkIndex = Number(m?.[2]);
    if (chunkQuery !== undefined) {
      return {
        name: "chunk",
        handle: (ctx) => {
          const key = ctx.req.headers[CHUNK_KEY_HEADER];
          return ctx.emulator.chunks.serve(
            ctx.res,
            {
              queryId: chunkQuery,
              index: chunkIndex,
              key: typeof key === "string" ? key : undefined,
            },
            ctx.emulator.faults,
            ctx.emulator.stats,
          );
        },
      };
    }
  }
  return undefined;
}

/** Handles one request end to end. */
async function dispatch(
  emulator: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const host = req.headers.host ?? `${emulator.options.host}:${emulator.options.port}`;
  const url = new URL(req.url ?? "/", `http://${host}`);
  const baseUrl = `http://${host}`;
  const method = req.method ?? "GET";
  const body = method === "GET" || method === "HEAD" ? Buffer.alloc(0) : await readBody(req);
  const ctx: RequestContext = { req, res, url, baseUrl, body, emulator };
  if (url.pathname.startsWith("/__emulator/")) {
    await handleAdmin(ctx);
    return;
  }
  const { stats, faults, options } = emulator;
  const matched = route(method, url);
  stats.requests += 1;
  bump(stats.byRoute, matched?.name ?? "unknown");
  options.log(`${method} ${url.pathname}${url.search}`);
  const latency = faults.latencyMs();
  if (latency > 0) await sleep(latency);
  const status = faults.takeHttpError(url.pathname);
  if (status !== undefined) {
    sendText(res, status, `emulated HTTP ${status}`);
    return;
  }
  if (matched === undefined) {
    sendJson(res, 404, {
      success: false,
      code: "404",
      message: `No route for ${method} ${url.pathname}`,
      data: null,
    });
    return;
  }
  await matched.handle(ctx);
}

/** Creates the (not yet listening) HTTP server for an emulator. */
export function createEmulatorServer(emulator: EmulatorContext): Server {
  const server = createServer((req, res) => {
    dispatch(emulator, req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      emulator.options.log(`request failed: ${message}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const status = error instanceof SyntaxError ? 400 : 500;
      sendJson(res, status, { success: false, code: String(status), message, data: null });
    });
  });
  server.keepAliveTimeout = 30_000;
  return server;
}

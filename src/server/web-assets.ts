import { readFile } from "node:fs/promises";
import type * as http from "node:http";
import type * as http2 from "node:http2";
import { extname, join } from "node:path";
import { projectPath } from "../project-root.js";
import type { Handler } from "./listen.js";

/** Where `npm run build:web` writes the dashboard: `data/web/` at the top of the project. */
export const DEFAULT_WEB_DIR = projectPath("data/web/");

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

/** An asset name as the build writes it: no directories, so no way out of `assets/`. */
const ASSET_NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.[a-z0-9]+$/;

/** esbuild's content hash in a name (`app-4KX2C7QZ.js`): such a file never changes. */
const HASHED = /-[A-Z0-9]{8}\.[a-z0-9]+$/;

/**
 * The dashboard's page, scripts and styles only, from this origin: the API is same-origin, so
 * nothing else is needed, and an injected script could not load anything from elsewhere.
 */
const CSP = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

type Req = http.IncomingMessage | http2.Http2ServerRequest;
type Res = http.ServerResponse | http2.Http2ServerResponse;

/**
 * Serves the built dashboard in front of the RPC handler: `GET /` (and `/index.html`) answers
 * the page, never cached so a rebuild shows at once; `GET /assets/<name>` answers a built file
 * with its content type, cached for a year when its name carries a content hash. Every other
 * request goes on to `next` (RPCs; Connect answers 404 for unknown paths). When the dashboard
 * has not been built, `/` says how to build it.
 */
export function withDashboard(next: Handler, webDir: string = DEFAULT_WEB_DIR): Handler {
  return (req, res) => {
    const method = req.method ?? "GET";
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (method !== "GET" && method !== "HEAD") return next(req, res);
    if (path === "/" || path === "/index.html") {
      void serve(req, res, join(webDir, "index.html"), "no-cache").catch(() =>
        send(res, 503, "text/plain; charset=utf-8", "no-store", notBuilt, req),
      );
      return;
    }
    if (path.startsWith("/assets/")) {
      const name = path.slice("/assets/".length);
      if (!ASSET_NAME.test(name)) return notFound(req, res);
      const cache = HASHED.test(name) ? "public, max-age=31536000, immutable" : "no-cache";
      void serve(req, res, join(webDir, "assets", name), cache).catch(() => notFound(req, res));
      return;
    }
    next(req, res);
  };
}

const notBuilt = "the dashboard is not built: run `npm run build:web` (npm start does)\n";

async function serve(req: Req, res: Res, file: string, cache: string): Promise<void> {
  const body = await readFile(file);
  const type = CONTENT_TYPES[extname(file)] ?? "application/octet-stream";
  send(res, 200, type, cache, body, req);
}

function notFound(req: Req, res: Res): void {
  send(res, 404, "text/plain; charset=utf-8", "no-store", "not found\n", req);
}

function send(
  res: Res,
  status: number,
  type: string,
  cache: string,
  body: string | Buffer,
  req: Req,
): void {
  res.statusCode = status;
  res.setHeader("content-type", type);
  res.setHeader("cache-control", cache);
  res.setHeader("x-content-type-options", "nosniff");
  if (type.startsWith("text/html")) res.setHeader("content-security-policy", CSP);
  res.setHeader("content-length", Buffer.byteLength(body));
  if (req.method === "HEAD") res.end();
  else res.end(body);
}

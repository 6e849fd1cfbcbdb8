import { readFile } from "node:fs/promises";
import type * as http from "node:http";
import type * as http2 from "node:http2";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Handler } from "./listen.js";

/** The document `buf generate` writes from the protos (committed under gen/). */
export const OPENAPI_FILE = fileURLToPath(
  new URL("../../gen/openapi/customeranalytics.v1.openapi.json", import.meta.url),
);

/** swagger-ui-dist's folder, from the installed package: the reference is served from here. */
const SWAGGER_DIR = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

/** The files of swagger-ui-dist that /docs uses, and their types: nothing else is served. */
const SWAGGER_FILES: Readonly<Record<string, string>> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
  "favicon-16x16.png": "image/png",
};

/**
 * The policy of /docs only (the dashboard keeps its stricter one): scripts and calls to this
 * origin alone, so "Try it out" reaches this port and nothing else; inline styles, because
 * Swagger UI sets style attributes; `data:` images for its icons.
 */
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>customer-analytics API reference</title>
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

/** Starts Swagger UI on this origin's document; a file, since the policy allows no inline script. */
const INIT = `window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  displayRequestDuration: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
});
`;

type Res = http.ServerResponse | http2.Http2ServerResponse;

/** What the served document says about credentials. */
export interface ApiDocsOptions {
  /** Whether the server asks for a credential; without it the document drops the bearer scheme. */
  readonly authOn: boolean;
}

/**
 * Serves the API's description in front of `next`: `GET /openapi.json` (the generated document;
 * without auth, with its bearer requirement taken out so "Try it out" asks for nothing) and
 * `GET /docs`, an interactive reference by swagger-ui-dist from this service's own files, whose
 * "Try it out" calls this same port. Both are open: the schema is public, as reflection is.
 */
export function withApiDocs(next: Handler, options: ApiDocsOptions): Handler {
  let document: Promise<string> | undefined;
  return (req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (req.method !== "GET" && req.method !== "HEAD") return next(req, res);
    if (path === "/openapi.json") {
      document ??= readFile(OPENAPI_FILE, "utf8").then((text) => servedDocument(text, options));
      document.then(
        (body) => send(req.method, res, 200, "application/json; charset=utf-8", body),
        () =>
          send(
            req.method,
            res,
            503,
            "text/plain; charset=utf-8",
            "the OpenAPI document is missing: run `npx buf generate`\n",
          ),
      );
      return;
    }
    if (path === "/docs" || path === "/docs/") {
      return send(req.method, res, 200, "text/html; charset=utf-8", PAGE, DOCS_CSP);
    }
    if (path === "/docs/init.js") {
      return send(req.method, res, 200, "text/javascript; charset=utf-8", INIT);
    }
    const name = path.startsWith("/docs/") ? path.slice("/docs/".length) : undefined;
    const type = name === undefined ? undefined : SWAGGER_FILES[name];
    if (name !== undefined && type !== undefined) {
      readFile(join(SWAGGER_DIR, name)).then(
        (body) => send(req.method, res, 200, type, body, undefined, "public, max-age=3600"),
        () => send(req.method, res, 404, "text/plain; charset=utf-8", "not found\n"),
      );
      return;
    }
    next(req, res);
  };
}

/** The document as this server serves it: with no auth, nothing asks for a credential. */
function servedDocument(text: string, options: ApiDocsOptions): string {
  if (options.authOn) return text;
  const doc = JSON.parse(text) as {
    security?: unknown;
    components?: { securitySchemes?: unknown };
  };
  delete doc.security;
  if (doc.components !== undefined) delete doc.components.securitySchemes;
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function send(
  method: string | undefined,
  res: Res,
  status: number,
  type: string,
  body: string | Buffer,
  csp?: string,
  cache = "no-cache",
): void {
  res.statusCode = status;
  res.setHeader("content-type", type);
  res.setHeader("cache-control", cache);
  res.setHeader("x-content-type-options", "nosniff");
  if (csp !== undefined) res.setHeader("content-security-policy", csp);
  res.setHeader("content-length", Buffer.byteLength(body));
  if (method === "HEAD") res.end();
  else res.end(body);
}

import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import {
  createAsyncIterable,
  type UniversalHandler,
  type UniversalServerRequest,
  type UniversalServerResponse,
} from "@connectrpc/connect/protocol";
import { errorToJsonBytes } from "@connectrpc/connect/protocol-connect";
import type { connectNodeAdapter } from "@connectrpc/connect-node";
import { nearestName } from "./nearest-name.js";

/** Where a person is pointed when a stream cannot be called with plain HTTP. */
const STREAM_HINT =
  "server-streaming RPCs need a Connect or gRPC client, or `buf curl` " +
  "(ExportTable's files can also be downloaded over plain HTTP where the server offers it)";

/**
 * connect-es answers a request it cannot route with an empty body: a bare 404 for a wrong
 * service or method name, a bare 415 for a GET without a Connect query or a POST without an
 * accepted content type. A person with curl learns nothing from either. This wraps every
 * route's handler so a refused content type or HTTP method is answered with a Connect error
 * body saying what is accepted, judged by the handler's own negotiation rules (its
 * `supportedContentType` and `allowedMethods`), so nothing connect-es accepts is refused here.
 */
export function explainRefusals(router: ConnectRouter): void {
  const explained = router.handlers.map((handler) => explain(handler));
  router.handlers.splice(0, router.handlers.length, ...explained);
}

function explain(handler: UniversalHandler): UniversalHandler {
  const streaming = handler.method.methodKind !== "unary";
  const name = `${handler.service.name}/${handler.method.name}`;
  const explained = async (req: UniversalServerRequest): Promise<UniversalServerResponse> => {
    const contentType = req.header.get("content-type") ?? "";
    if (!handler.allowedMethods.includes(req.method)) {
      const allowed = handler.allowedMethods.join(" or ");
      return refusal(405, `${name} takes ${allowed}, not ${req.method}`);
    }
    if (req.method === "GET") {
      const encoding = new URL(req.url).searchParams.get("encoding");
      if (encoding === "json" || encoding === "proto") return handler(req);
      return refusal(
        415,
        `a GET of ${name} needs ?encoding=json&message=<the request as URL-encoded JSON> ` +
          `(a Connect GET); or POST it with content-type application/json`,
      );
    }
    if (contentType !== "" && handler.supportedContentType(contentType)) return handler(req);
    const given = contentType === "" ? "no content-type" : `content-type ${contentType}`;
    const accepted = streaming
      ? "application/connect+json or application/connect+proto (Connect streams), " +
        "application/grpc[+proto|+json] or application/grpc-web[+proto|+json]"
      : "application/json or application/proto (Connect), " +
        "application/grpc[+proto|+json] or application/grpc-web[+proto|+json]";
    const hint = streaming ? `; ${STREAM_HINT}` : "";
    return refusal(415, `${name} does not accept ${given}; send ${accepted}${hint}`);
  };
  return Object.assign(explained, handler);
}

function refusal(status: number, message: string): UniversalServerResponse {
  const error = new ConnectError(message, Code.Unimplemented);
  return {
    status,
    header: new Headers({ "content-type": "application/json" }),
    body: createAsyncIterable([errorToJsonBytes(error, {})]),
  };
}

/** What connect-node calls for a path that matches no route. */
type Fallback = NonNullable<Parameters<typeof connectNodeAdapter>[0]["fallback"]>;

/**
 * The adapter's fallback for a path that names no RPC: UNIMPLEMENTED with the closest service
 * or method name and the list to choose from, as a gRPC status for gRPC callers (so their
 * clients report it) and as a Connect error body for everyone else.
 */
export function unknownRoute(services: () => readonly DescService[]): Fallback {
  return (req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const message = whyNoRoute(services(), path);
    const contentType = String(req.headers["content-type"] ?? "");
    if (/^application\/grpc/i.test(contentType)) {
      res.writeHead(200, {
        "content-type": contentType.split(";")[0] ?? "application/grpc",
        "grpc-status": String(Code.Unimplemented),
        "grpc-message": encodeURIComponent(message),
      });
      res.end();
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(Buffer.from(errorToJsonBytes(new ConnectError(message, Code.Unimplemented), {})));
  };
}

function whyNoRoute(services: readonly DescService[], path: string): string {
  const [, serviceName = "", methodName = "", ...rest] = path.split("/");
  const shown = (text: string) =>
    /^[A-Za-z0-9_.]{1,80}$/.test(text)
      ? text
      : JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
  const service = services.find((s) => s.typeName === serviceName);
  if (service === undefined) {
    const names = services.map((s) => s.typeName);
    const near = nearestName(serviceName, names);
    const hint = near === undefined ? "." : `; did you mean ${near}?`;
    return (
      `no service ${shown(serviceName)}${hint} RPCs are POSTed to /<service>/<method>; ` +
      `services: ${names.join(", ")}`
    );
  }
  const methods = service.methods.map((m) => m.name);
  const near = rest.length === 0 ? nearestName(methodName, methods) : undefined;
  const hint = near === undefined ? "." : `; did you mean ${near}?`;
  const asked = [methodName, ...rest].join("/");
  return `no method ${service.name}/${shown(asked)}${hint} Methods: ${methods.join(", ")}`;
}

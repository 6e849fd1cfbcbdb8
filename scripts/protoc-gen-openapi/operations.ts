import type { DescMethod } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel as Idempotency } from "@bufbuild/protobuf/wkt";
import { describe, joinDescriptions } from "./comments.js";
import { errorStatuses } from "./connect-errors.js";
import type { JsonSchema } from "./json-schema.js";
import type { SchemaCollector } from "./schemas.js";

/** One OpenAPI operation object, as the generator writes it. */
export type Operation = Record<string, unknown>;

/** The services that answer without a credential when auth is on. */
const OPEN_SERVICES = new Set([
  "grpc.health.v1.Health",
  "grpc.reflection.v1.ServerReflection",
  "grpc.reflection.v1alpha.ServerReflection",
]);

const STREAM_NOTE =
  '**Server stream.** Connect streams frame every message in a 5-byte envelope (a flags byte, then the length as a big-endian uint32) before its JSON; the last frame (flags 0x02) carries `{"error"?, "metadata"?}`. Send the request as one such frame with `Content-Type: application/connect+json`. A plain HTTP client cannot read this: use a Connect or gRPC client or `buf curl`.';
const BIDI_NOTE =
  "**Bidirectional stream.** Needs gRPC (or Connect) over HTTP/2: use grpcurl or `buf curl`; it cannot be tried from a browser.";

/** `{"application/json": {schema}}`, the content map of a JSON body. */
function json(schema: JsonSchema, type = "application/json"): Record<string, unknown> {
  return { [type]: { schema } };
}

/** The error responses every unary call can answer with, by HTTP status. */
function errorResponses(): Record<string, unknown> {
  return Object.fromEntries(
    errorStatuses().map(([status]) => [status, { $ref: `#/components/responses/error-${status}` }]),
  );
}

/** Whether the method answers without credentials. */
export function isOpen(method: DescMethod): boolean {
  return OPEN_SERVICES.has(method.parent.typeName);
}

/**
 * The operations of one RPC at `/<package>.<Service>/<Method>`: POST with the request as JSON
 * for every method, and GET with the request in the query (Connect's `connect=v1`,
 * `encoding=json`, `message=<JSON>`) for methods marked `NO_SIDE_EFFECTS`, which is what lets
 * browsers and CDNs cache them. Streams are described with a note on their framing.
 * `idPrefix` starts the operation ids (the service's name, or its full name where two packages
 * share a service name), which must be unique in the document.
 */
export function methodOperations(
  method: DescMethod,
  schemas: SchemaCollector,
  idPrefix: string,
): Record<string, Operation> {
  const service = method.parent;
  const input = schemas.messageRef(method.input);
  const output = schemas.messageRef(method.output);
  const role = isOpen(method)
    ? "Open: no credential needed."
    : method.idempotency === Idempotency.NO_SIDE_EFFECTS
      ? "Needs the `reader` role when auth is on."
      : "Needs the `admin` role when auth is on.";
  const base: Operation = {
    tags: [service.typeName],
    summary: method.name,
  };
  if (isOpen(method)) base.security = [];
  if (
    method.methodKind === "server_streaming" ||
    method.methodKind === "bidi_streaming" ||
    method.methodKind === "client_streaming"
  ) {
    const note = method.methodKind === "server_streaming" ? STREAM_NOTE : BIDI_NOTE;
    return {
      post: {
        ...base,
        operationId: `${idPrefix}_${method.name}`,
        description: joinDescriptions(describe(method), note, role),
        requestBody: { required: true, content: json(input, "application/connect+json") },
        responses: {
          "200": {
            description:
              "A stream of enveloped messages, each of this shape, then the end-of-stream frame.",
            content: json(output, "application/connect+json"),
          },
          ...errorResponses(),
        },
      },
    };
  }
  const ops: Record<string, Operation> = {
    post: {
      ...base,
      operationId: `${idPrefix}_${method.name}`,
      description: joinDescriptions(describe(method), role),
      parameters: [
        { $ref: "#/components/parameters/connect-protocol-version" },
        { $ref: "#/components/parameters/connect-timeout-ms" },
      ],
      requestBody: { required: true, content: json(input) },
      responses: {
        "200": { description: "The response message.", content: json(output) },
        ...errorResponses(),
      },
    },
  };
  if (method.idempotency === Idempotency.NO_SIDE_EFFECTS) {
    ops.get = {
      ...base,
      operationId: `${idPrefix}_${method.name}_get`,
      description: joinDescriptions(
        describe(method),
        "The same call as the POST, with the request in the query string: cacheable, and linkable.",
        role,
      ),
      parameters: [
        {
          name: "connect",
          in: "query",
          required: true,
          schema: { type: "string", enum: ["v1"], default: "v1" },
        },
        {
          name: "encoding",
          in: "query",
          required: true,
          schema: { type: "string", enum: ["json"], default: "json" },
        },
        {
          name: "message",
          in: "query",
          required: true,
          description: "The request message as JSON (URL-encoded).",
          // The request's schema as contentSchema; no contentMediaType, which Swagger UI would
          // take for a file upload.
          schema: { type: "string", contentSchema: input, examples: ["{}"] },
        },
      ],
      responses: {
        "200": { description: "The response message.", content: json(output) },
        ...errorResponses(),
      },
    };
  }
  return ops;
}

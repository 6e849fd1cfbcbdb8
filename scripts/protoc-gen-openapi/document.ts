import type { DescService } from "@bufbuild/protobuf";
import { describe } from "./comments.js";
import { CODE_STATUS, ERROR_BODY, ERROR_SCHEMA, errorStatuses } from "./connect-errors.js";
import { schemaRef } from "./json-schema.js";
import { methodOperations, type Operation } from "./operations.js";
import { plainHttpPaths } from "./plain-http.js";
import { SchemaCollector } from "./schemas.js";

const DESCRIPTION = `Customer analytics over Connect, gRPC and gRPC-Web, on one port.

Every RPC is a plain HTTP call: \`POST /<package>.<Service>/<Method>\` with the request message as JSON (\`Content-Type: application/json\`) answers the response message as JSON; methods without side effects also answer \`GET\` with the request in the query (\`?connect=v1&encoding=json&message=<URL-encoded JSON>\`).

Messages follow protobuf's proto3 JSON mapping: fields in lowerCamelCase (the proto names are accepted too), fields at their zero value left out of answers, 64-bit integers as strings, enums by name, timestamps as RFC 3339 strings, durations as "3600s". \`null\` stands for a field's default in requests.

A failed call answers the HTTP status of its code with the body \`{"code", "message", "details"}\`:

| code | HTTP status |
|---|---|
${CODE_STATUS.map(([code, status]) => `| ${code} | ${status} |`).join("\n")}

With auth on (API keys or JWT), send \`Authorization: Bearer <key or token>\`; health, reflection, \`/healthz\` and \`/readyz\` stay open.`;

/**
 * The whole OpenAPI 3.1 document for `services`: one path per RPC, the schemas they use, the
 * error responses, the bearer scheme, and the plain HTTP routes the service also answers.
 */
export function openApiDocument(
  services: readonly DescService[],
  version: string,
): Record<string, unknown> {
  const schemas = new SchemaCollector();
  schemas.add(ERROR_SCHEMA, ERROR_BODY);
  const paths: Record<string, Record<string, Operation>> = {};
  const shared = services.filter((s) => services.some((o) => o !== s && o.name === s.name));
  for (const service of services) {
    const idPrefix = shared.includes(service)
      ? service.typeName.replaceAll(".", "_")
      : service.name;
    for (const method of service.methods) {
      paths[`/${service.typeName}/${method.name}`] = methodOperations(method, schemas, idPrefix);
    }
  }
  Object.assign(paths, plainHttpPaths(services));
  return {
    openapi: "3.1.0",
    info: { title: "customer-analytics API", version, description: DESCRIPTION },
    servers: [{ url: "/", description: "The server this document was fetched from." }],
    security: [{ bearer: [] }],
    tags: services.map((s) => ({ name: s.typeName, description: describe(s) ?? s.name })),
    paths,
    components: {
      schemas: schemas.components(),
      responses: Object.fromEntries(
        errorStatuses().map(([status, codes]) => [
          `error-${status}`,
          {
            description: `A Connect error: ${codes.join(", ")}.`,
            content: { "application/json": { schema: schemaRef(ERROR_SCHEMA) } },
          },
        ]),
      ),
      parameters: {
        "connect-protocol-version": {
          name: "Connect-Protocol-Version",
          in: "header",
          required: false,
          description: "The Connect protocol version; Connect clients send 1.",
          schema: { type: "string", enum: ["1"] },
        },
        "connect-timeout-ms": {
          name: "Connect-Timeout-Ms",
          in: "header",
          required: false,
          description:
            "The call's deadline in milliseconds; the server's default applies without it.",
          schema: { type: "string", pattern: "^[0-9]{1,10}$" },
        },
      },
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description:
            "An API key from API_KEYS_FILE or a JWT, as `Authorization: Bearer <credential>`. Only needed when auth is on.",
        },
      },
    },
  };
}

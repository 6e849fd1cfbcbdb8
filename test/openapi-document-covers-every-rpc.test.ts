import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { MethodOptions_IdempotencyLevel as Idempotency } from "@bufbuild/protobuf/wkt";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICES } from "../src/server/server.js";
import { type OpenApiDoc, readOpenApiDoc } from "./support/openapi-document.js";
import { startTestService, type TestService } from "./support/test-service.js";

// The OpenAPI document is generated from the protos by our own buf plugin. It must be a valid
// OpenAPI 3.1 document, describe every RPC the running server answers, and write messages the
// way proto3 JSON does.

const BUF = fileURLToPath(new URL("../node_modules/.bin/buf", import.meta.url));

let running: TestService;
let doc: OpenApiDoc;

beforeAll(async () => {
  running = await startTestService();
  doc = await readOpenApiDoc();
});

afterAll(async () => {
  await running?.close();
});

/** Every `Service/Method` the server answers, as gRPC reflection lists them. */
function reflectedMethods(baseUrl: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(
      BUF,
      ["curl", "--protocol", "grpc", "--http2-prior-knowledge", "--list-methods", baseUrl],
      { timeout: 15_000 },
      (error, stdout) => (error === null ? resolve(stdout.trim().split("\n")) : reject(error)),
    );
  });
}

function schema(name: string): Record<string, unknown> {
  const found = doc.components.schemas[name];
  expect(found, name).toBeDefined();
  return found as Record<string, unknown>;
}

function property(message: string, field: string): Record<string, unknown> {
  const props = schema(message).properties as Record<string, Record<string, unknown>>;
  const found = props[field];
  expect(found, `${message}.${field}`).toBeDefined();
  return found as Record<string, unknown>;
}

describe("the generated OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("has a path for every method the server reflects, and no other RPC", async () => {
    const methods = await reflectedMethods(running.baseUrl);
    expect(methods.length).toBeGreaterThan(20);
    for (const method of methods) expect(doc.paths[`/${method}`], method).toBeDefined();
    const rpcPaths = Object.keys(doc.paths).filter((p) => /^\/[a-z][\w.]*\.[A-Z]\w*\/\w+$/.test(p));
    expect(rpcPaths.map((p) => p.slice(1)).sort()).toEqual([...methods].sort());
  });

  it("gives every operation its own id", () => {
    const ids = Object.values(doc.paths).flatMap((item) =>
      Object.values(item).map((op) => op.operationId),
    );
    expect(ids.length).toBeGreaterThan(40);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("answers POST for every RPC and GET exactly for the NO_SIDE_EFFECTS ones", () => {
    for (const service of SERVICES) {
      for (const method of service.methods) {
        const item = doc.paths[`/${service.typeName}/${method.name}`];
        expect(item?.post, method.name).toBeDefined();
        const streaming = method.methodKind !== "unary";
        const wantGet = !streaming && method.idempotency === Idempotency.NO_SIDE_EFFECTS;
        expect(item?.get !== undefined, `${method.name} GET`).toBe(wantGet);
        const type = streaming ? "application/connect+json" : "application/json";
        expect(Object.keys(item?.post?.requestBody?.content ?? {}), method.name).toEqual([type]);
      }
    }
    const get = doc.paths["/customeranalytics.v1.CustomerService/GetCustomer"]?.get;
    expect(get?.parameters?.map((p) => p.name)).toEqual(["connect", "encoding", "message"]);
    expect(doc.paths["/customeranalytics.v1.SyncService/TriggerSync"]?.get).toBeUndefined();
  });

  it("writes messages as proto3 JSON: camelCase, int64 as strings, enums by name, WKTs", () => {
    expect(property("customeranalytics.v1.ExportInfo", "totalRows")).toMatchObject({
      type: "string",
      pattern: "^-?[0-9]+$",
    });
    expect(schema("customeranalytics.v1.ExportFormat")).toMatchObject({
      type: "string",
      enum: [
        "EXPORT_FORMAT_UNSPECIFIED",
        "EXPORT_FORMAT_CSV",
        "EXPORT_FORMAT_NDJSON",
        "EXPORT_FORMAT_PARQUET",
      ],
    });
    expect(schema("google.protobuf.Timestamp")).toMatchObject({
      type: "string",
      format: "date-time",
    });
    expect(schema("google.protobuf.Duration").type).toBe("string");
    expect(JSON.stringify(property("customeranalytics.v1.ResultMeta", "dataAsOf"))).toContain(
      "#/components/schemas/google.protobuf.Timestamp",
    );
    expect(property("customeranalytics.v1.ExportTableResponse", "chunk")).toMatchObject({
      type: "string",
      contentEncoding: "base64",
    });
    // A oneof: at most one of its members.
    expect(JSON.stringify(schema("grpc.reflection.v1.ServerReflectionRequest").allOf)).toContain(
      '"required":["fileByFilename","fileContainingSymbol"]',
    );
  });

  it("carries the proto comments and the protovalidate rules", () => {
    const id = property("customeranalytics.v1.GetCustomerRequest", "customerId");
    expect(id).toMatchObject({ type: "string", minLength: 1, maxLength: 50 });
    expect(id.description).toBe("The customer's id.");
    expect(property("customeranalytics.v1.ListCustomersRequest", "pageSize")).toMatchObject({
      minimum: 0,
      maximum: 1000,
    });
    expect(property("customeranalytics.v1.BatchGetCustomersRequest", "customerIds")).toMatchObject({
      minItems: 1,
      maxItems: 1000,
      items: { minLength: 1, maxLength: 50 },
    });
    expect(property("customeranalytics.v1.ExportTableRequest", "columns")).toMatchObject({
      uniqueItems: true,
      items: { pattern: "^[a-z][a-z0-9_]*$" },
    });
    expect(property("customeranalytics.v1.GetTrendsRequest", "metrics")).toMatchObject({
      maxItems: 6,
      items: { not: { enum: ["TREND_METRIC_UNSPECIFIED"] } },
    });
    expect(schema("customeranalytics.v1.ListCustomersRequest").description).toContain(
      "registered_from must be on or before registered_to",
    );
  });

  it("describes errors and who may call: bearer, with health and probes open", () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.paths["/grpc.health.v1.Health/Check"]?.post?.security).toEqual([]);
    expect(doc.paths["/healthz"]?.get?.security).toEqual([]);
    expect(doc.paths["/readyz"]?.get?.security).toEqual([]);
    expect(
      doc.paths["/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"]?.post?.security,
    ).toEqual([]);
    const getCustomer = doc.paths["/customeranalytics.v1.CustomerService/GetCustomer"]?.post;
    expect(getCustomer?.security).toBeUndefined();
    expect(getCustomer?.responses["404"]).toEqual({ $ref: "#/components/responses/error-404" });
    expect(schema("connect.error").required).toEqual(["code"]);
  });

  it("describes the plain HTTP download of exports", () => {
    const download = doc.paths["/v1/exports/{table}.{format}"]?.get;
    expect(download?.security).toBeUndefined();
    expect(download?.parameters?.map((p) => p.name)).toEqual([
      "table",
      "format",
      "columns",
      "filters",
      "If-None-Match",
    ]);
    expect(Object.keys(download?.responses ?? {})).toEqual(
      expect.arrayContaining(["200", "304", "429"]),
    );
  });
});

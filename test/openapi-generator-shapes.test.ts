import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "../scripts/protoc-gen-openapi/document.js";

// The generator on shapes the service's own protos do not use yet (maps, integer map keys,
// FieldMask, Struct, wrappers, oneofs, bytes, unsigned 64-bit), compiled by buf from a fixture.

const BUF = fileURLToPath(new URL("../node_modules/.bin/buf", import.meta.url));
const FIXTURE = fileURLToPath(new URL("./fixtures/openapi-shapes", import.meta.url));

type Schema = Record<string, unknown>;
let schemas: Record<string, Schema>;

function build(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      BUF,
      ["build", FIXTURE, "--as-file-descriptor-set", "-o", "-#format=binpb"],
      { encoding: "buffer", timeout: 30_000, maxBuffer: 16 << 20 },
      (error, stdout) => (error === null ? resolve(stdout) : reject(error)),
    );
  });
}

beforeAll(async () => {
  const set = fromBinary(FileDescriptorSetSchema, new Uint8Array(await build()));
  const service = createFileRegistry(set).getService("shapes.v1.ShapeService");
  if (service === undefined) throw new Error("the fixture has no ShapeService");
  const doc = openApiDocument([service], "test") as { components: { schemas: typeof schemas } };
  schemas = doc.components.schemas;
});

function field(name: string): Schema {
  const props = schemas["shapes.v1.Shapes"]?.properties as Record<string, Schema>;
  return props[name] ?? {};
}

describe("the OpenAPI generator", () => {
  it("writes maps as objects, with integer keys constrained", () => {
    expect(field("byName")).toMatchObject({
      type: "object",
      additionalProperties: { type: "string", pattern: "^-?[0-9]+$" },
    });
    expect(field("byNumber")).toMatchObject({
      type: "object",
      additionalProperties: { $ref: "#/components/schemas/shapes.v1.Shapes" },
      propertyNames: { pattern: "^-?[0-9]+$" },
    });
  });

  it("writes the well-known types in their JSON forms", () => {
    expect(JSON.stringify(field("updateMask"))).toContain("google.protobuf.FieldMask");
    expect(schemas["google.protobuf.FieldMask"]).toMatchObject({ type: "string" });
    expect(schemas["google.protobuf.Struct"]).toMatchObject({ type: "object" });
    expect(schemas["google.protobuf.Int64Value"]).toMatchObject({ type: "string" });
    expect(schemas["google.protobuf.Empty"]).toMatchObject({
      type: "object",
      additionalProperties: false,
    });
  });

  it("writes a oneof as at most one of its members, bytes as base64, fixed64 as a string", () => {
    expect(schemas["shapes.v1.Shapes"]?.allOf).toEqual([
      { not: { anyOf: [{ required: ["text", "number"] }] } },
    ]);
    expect(field("text").description).toContain("One of the `choice` choices.");
    expect(field("blob")).toMatchObject({ type: "string", contentEncoding: "base64" });
    expect(field("big")).toMatchObject({ type: "string", pattern: "^[0-9]+$" });
    expect(field("number").anyOf).toEqual([
      { type: "number", format: "double" },
      { type: "string", enum: ["NaN", "Infinity", "-Infinity"] },
    ]);
  });
});

import { create, createFileRegistry, type DescService } from "@bufbuild/protobuf";
import {
  type CodeGeneratorRequest,
  CodeGeneratorResponseSchema,
  FileDescriptorSetSchema,
} from "@bufbuild/protobuf/wkt";
import type { Plugin } from "@bufbuild/protoplugin";
import { openApiDocument } from "./document.js";

/** The file the plugin writes, under the `out` directory of its buf.gen.yaml entry. */
export const OUTPUT_FILE = "openapi/customeranalytics.v1.openapi.json";

/**
 * protoc-gen-openapi: one OpenAPI 3.1 document for every service of the files buf asks it to
 * generate (run it with `strategy: all`, so that is all of them in one request). The document
 * is JSON with sorted components and a trailing newline, the same bytes on every run.
 */
export const openApiPlugin: Plugin = {
  name: "protoc-gen-openapi",
  version: "v1",
  run(request: CodeGeneratorRequest) {
    const registry = createFileRegistry(
      create(FileDescriptorSetSchema, { file: request.protoFile }),
    );
    const services: DescService[] = [];
    for (const name of request.fileToGenerate) {
      const file = registry.getFile(name);
      if (file !== undefined) services.push(...file.services);
    }
    const doc = openApiDocument(services, "v1");
    return create(CodeGeneratorResponseSchema, {
      supportedFeatures: 1n,
      file: [{ name: OUTPUT_FILE, content: `${JSON.stringify(doc, null, 2)}\n` }],
    });
  },
};

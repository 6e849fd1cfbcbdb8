import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** The committed document `buf generate` writes. */
export const OPENAPI_FILE = fileURLToPath(
  new URL("../../gen/openapi/customeranalytics.v1.openapi.json", import.meta.url),
);

/** The parts of an OpenAPI document the tests read. */
export interface OpenApiDoc {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, OpenApiOperation>>;
  readonly components: {
    readonly schemas: Record<string, JsonObject>;
    readonly securitySchemes: Record<string, JsonObject>;
  };
}

/** One operation of the document. */
export interface OpenApiOperation {
  readonly operationId: string;
  readonly security?: readonly unknown[];
  readonly parameters?: readonly JsonObject[];
  readonly requestBody?: { readonly content: Record<string, JsonObject> };
  readonly responses: Record<string, JsonObject>;
}

/** Any JSON object. */
export type JsonObject = Record<string, unknown>;

/** Reads and parses the committed document. */
export async function readOpenApiDoc(): Promise<OpenApiDoc> {
  return JSON.parse(await readFile(OPENAPI_FILE, "utf8")) as OpenApiDoc;
}

/**
 * The slice of JSON Schema 2020-12 (as OpenAPI 3.1 uses it) that the generator writes. Keys are
 * emitted in the order they are set, so the document is the same byte for byte on every run.
 */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  description?: string | undefined;
  enum?: readonly (string | number)[];
  const?: string | number | boolean;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  not?: JsonSchema;
  contentEncoding?: string;
  contentMediaType?: string;
  contentSchema?: JsonSchema;
  examples?: unknown[];
  default?: unknown;
  readOnly?: boolean;
}

/** A `$ref` to a schema under `components/schemas`, by the protobuf type name. */
export function schemaRef(typeName: string): JsonSchema {
  return { $ref: `#/components/schemas/${typeName}` };
}

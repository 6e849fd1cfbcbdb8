import type { JsonSchema } from "./json-schema.js";

const INT64 = "^-?[0-9]+$";
const UINT64 = "^[0-9]+$";

/**
 * The proto3 JSON forms of the well-known types, which are not objects of their fields:
 * protobuf's JSON mapping gives each its own shape, and that is what crosses the wire.
 */
export const WELL_KNOWN: Readonly<Record<string, JsonSchema>> = {
  "google.protobuf.Timestamp": {
    type: "string",
    format: "date-time",
    examples: ["2011-12-09T12:50:00Z"],
    description:
      'An RFC 3339 instant in UTC with a "Z" and 0, 3, 6 or 9 fractional digits, such as "2011-12-09T12:50:00Z".',
  },
  "google.protobuf.Duration": {
    type: "string",
    pattern: "^-?[0-9]+(\\.[0-9]{1,9})?s$",
    examples: ["3600s"],
    description:
      'Seconds with an "s" suffix and up to 9 fractional digits, such as "3600s" or "1.5s".',
  },
  "google.protobuf.FieldMask": {
    type: "string",
    description:
      'Field paths in lowerCamelCase, separated by commas, such as "customerName,region".',
  },
  "google.protobuf.Empty": {
    type: "object",
    additionalProperties: false,
    description: "An empty JSON object, {}.",
  },
  "google.protobuf.Struct": { type: "object", description: "Any JSON object." },
  "google.protobuf.Value": { description: "Any JSON value." },
  "google.protobuf.ListValue": { type: "array", items: {}, description: "Any JSON array." },
  "google.protobuf.NullValue": { type: "null", description: "JSON null." },
  "google.protobuf.Any": {
    type: "object",
    properties: { "@type": { type: "string", description: "The type URL of the message." } },
    required: ["@type"],
    description:
      'A message of any type: "@type" names it, its other fields (or "value", for a well-known type) follow.',
  },
  "google.protobuf.DoubleValue": { type: "number", description: "A double, or null." },
  "google.protobuf.FloatValue": { type: "number", description: "A float, or null." },
  "google.protobuf.Int64Value": {
    type: "string",
    pattern: INT64,
    description: "A 64-bit integer as a string.",
  },
  "google.protobuf.UInt64Value": {
    type: "string",
    pattern: UINT64,
    description: "An unsigned 64-bit integer as a string.",
  },
  "google.protobuf.Int32Value": { type: "integer", format: "int32" },
  "google.protobuf.UInt32Value": {
    type: "integer",
    format: "int64",
    minimum: 0,
    maximum: 4294967295,
  },
  "google.protobuf.BoolValue": { type: "boolean" },
  "google.protobuf.StringValue": { type: "string" },
  "google.protobuf.BytesValue": { type: "string", contentEncoding: "base64" },
};

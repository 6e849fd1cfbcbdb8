import { ScalarType } from "@bufbuild/protobuf";
import type { JsonSchema } from "./json-schema.js";

/**
 * The proto3 JSON form of a scalar: 64-bit integers as decimal strings (a JSON number loses
 * precision past 2^53), floats as numbers or the strings "NaN", "Infinity" and "-Infinity",
 * bytes as base64.
 */
export function scalarSchema(scalar: ScalarType): JsonSchema {
  switch (scalar) {
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return {
        anyOf: [
          { type: "number", format: scalar === ScalarType.DOUBLE ? "double" : "float" },
          { type: "string", enum: ["NaN", "Infinity", "-Infinity"] },
        ],
      };
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return { type: "integer", format: "int32" };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return { type: "integer", format: "int64", minimum: 0, maximum: 4294967295 };
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return { type: "string", format: "int64", pattern: "^-?[0-9]+$", examples: ["0"] };
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return { type: "string", format: "uint64", pattern: "^[0-9]+$", examples: ["0"] };
    case ScalarType.BOOL:
      return { type: "boolean" };
    case ScalarType.STRING:
      return { type: "string" };
    case ScalarType.BYTES:
      return { type: "string", contentEncoding: "base64" };
  }
}

/** Whether a scalar is written as a JSON string of digits (so numeric bounds go to the text). */
export function isStringInteger(scalar: ScalarType): boolean {
  return (
    scalar === ScalarType.INT64 ||
    scalar === ScalarType.SINT64 ||
    scalar === ScalarType.SFIXED64 ||
    scalar === ScalarType.UINT64 ||
    scalar === ScalarType.FIXED64
  );
}

import type { JsonSchema } from "./json-schema.js";

/**
 * Connect's error codes and the HTTP status a unary or GET call answers each with (the Connect
 * protocol's table). A streaming call answers 200 and puts the error in its last frame.
 */
export const CODE_STATUS: readonly (readonly [code: string, status: number])[] = [
  ["canceled", 499],
  ["unknown", 500],
  ["invalid_argument", 400],
  ["deadline_exceeded", 504],
  ["not_found", 404],
  ["already_exists", 409],
  ["permission_denied", 403],
  ["resource_exhausted", 429],
  ["failed_precondition", 400],
  ["aborted", 409],
  ["out_of_range", 400],
  ["unimplemented", 501],
  ["internal", 500],
  ["unavailable", 503],
  ["data_loss", 500],
  ["unauthenticated", 401],
];

/** The component name of the Connect error body. */
export const ERROR_SCHEMA = "connect.error";

/** The body of every failed Connect call: the code, a message naming the field at fault, details. */
export const ERROR_BODY: JsonSchema = {
  type: "object",
  description:
    "A failed call's body (Content-Type application/json). `code` is the Connect code; `message` says what went wrong and, for bad input, names the field.",
  properties: {
    code: { type: "string", enum: CODE_STATUS.map(([code]) => code) },
    message: { type: "string" },
    details: {
      type: "array",
      description: "Typed details: each a protobuf message, base64-encoded, with its type name.",
      items: {
        type: "object",
        properties: {
          type: {
            type: "string",
            description: 'The detail\'s full type name, such as "buf.validate.Violations".',
          },
          value: { type: "string", contentEncoding: "base64" },
          debug: { description: "The detail as JSON, when the server adds it." },
        },
        required: ["type", "value"],
      },
    },
  },
  required: ["code"],
};

/** The HTTP statuses an error can arrive with, each listing its codes, for every operation. */
export function errorStatuses(): [status: string, codes: string[]][] {
  const byStatus = new Map<number, string[]>();
  for (const [code, status] of CODE_STATUS)
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  return [...byStatus.entries()].sort(([a], [b]) => a - b).map(([s, codes]) => [String(s), codes]);
}

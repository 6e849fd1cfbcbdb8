import type { DescEnum, DescField, DescMessage } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { nearestName } from "./nearest-name.js";

/**
 * Connect JSON is read strictly (connect-es `ignoreUnknownFields: false`), but protobuf-es's
 * own refusals name neither the field's path nor what would have been accepted ("cannot decode
 * enum ... from JSON: \"QUARTER\"", or a bare RangeError for a Duration with ten decimals).
 * This walks a parsed JSON request against its descriptor first and refuses, with
 * INVALID_ARGUMENT naming the field as protovalidate does (`read_options.max_staleness`):
 * unknown keys (with the closest known one and the list of fields), enum names that do not
 * exist (with the valid names; protobuf-es reads only the full names, so `QUARTER` is refused
 * rather than guessed), and Durations the API cannot represent. Anything else (wrong types,
 * bad timestamps) is left to protobuf-es, whose messages already say what is wrong.
 */
export function refuseUnknownJson(desc: DescMessage, json: unknown): void {
  const problem = checkMessage(desc, json, "");
  if (problem !== undefined) throw new ConnectError(problem, Code.InvalidArgument);
}

/** A key shown bare in a path; anything else is quoted. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** The JSON Duration protobuf-es reads: seconds with up to nine decimals. */
const DURATION = /^-?(\d{1,12})(\.\d{1,9})?s$/;
/** Duration's range: about ±10,000 years (google/protobuf/duration.proto). */
const MAX_DURATION_SECONDS = 315_576_000_000;

function checkMessage(desc: DescMessage, json: unknown, path: string): string | undefined {
  if (desc.typeName.startsWith("google.protobuf.")) {
    return desc.typeName === "google.protobuf.Duration" ? checkDuration(json, path) : undefined;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  for (const [key, value] of Object.entries(json)) {
    const field = desc.fields.find((f) => f.jsonName === key || f.name === key);
    if (field === undefined) return unknownKey(desc, key, path);
    const problem = checkField(field, value, join(path, field.name));
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function checkField(field: DescField, value: unknown, path: string): string | undefined {
  if (value === null) return undefined;
  switch (field.fieldKind) {
    case "enum":
      return checkEnum(field.enum, value, path);
    case "message":
      return checkMessage(field.message, value, path);
    case "list":
      if (!Array.isArray(value)) return undefined;
      return checkEach(
        value.entries(),
        (i) => `${path}[${i}]`,
        elementCheck(
          field.listKind === "enum"
            ? field.enum
            : field.listKind === "message"
              ? field.message
              : undefined,
        ),
      );
    case "map":
      if (typeof value !== "object" || Array.isArray(value)) return undefined;
      return checkEach(
        Object.entries(value as object),
        (k) => `${path}[${JSON.stringify(k)}]`,
        elementCheck(
          field.mapKind === "enum"
            ? field.enum
            : field.mapKind === "message"
              ? field.message
              : undefined,
        ),
      );
    default:
      return undefined;
  }
}

/** Checks one element of a list or a map at its path; none for scalar elements. */
type ElementCheck = (item: unknown, at: string) => string | undefined;

/** How a list's or a map's elements of enum or message type are checked, alike for both. */
function elementCheck(desc: DescEnum | DescMessage | undefined): ElementCheck | undefined {
  if (desc === undefined) return undefined;
  return desc.kind === "enum"
    ? (item, at) => checkEnum(desc, item, at)
    : (item, at) => checkMessage(desc, item, at);
}

/** The first problem among a list's or a map's elements, each at the path `at` gives its key. */
function checkEach<K>(
  entries: Iterable<[K, unknown]>,
  at: (key: K) => string,
  check: ElementCheck | undefined,
): string | undefined {
  if (check === undefined) return undefined;
  for (const [key, item] of entries) {
    const problem = check(item, at(key));
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function checkEnum(desc: DescEnum, value: unknown, path: string): string | undefined {
  if (typeof value !== "string" || desc.values.some((v) => v.name === value)) return undefined;
  const valid = desc.values.map((v) => v.name).join(", ");
  const full = desc.values.find((v) => v.name.endsWith(`_${value.toUpperCase()}`));
  const hint = full === undefined ? "" : `; did you mean ${full.name}?`;
  return `${path}: ${quote(value)} is not a ${desc.name}${hint} Valid values: ${valid}`;
}

function checkDuration(value: unknown, path: string): string | undefined {
  if (typeof value !== "string") return undefined;
  const m = DURATION.exec(value);
  if (m !== null && Number(m[1]) <= MAX_DURATION_SECONDS) return undefined;
  return (
    `${path}: ${quote(value)} is not a duration the API can represent ` +
    `(seconds with at most 9 decimals and at most ${MAX_DURATION_SECONDS}, such as "90s" or "1.5s")`
  );
}

function unknownKey(desc: DescMessage, key: string, path: string): string {
  const names = desc.fields.map((f) => f.jsonName);
  const near = nearestName(key, names);
  const hint = near === undefined ? "" : `; did you mean ${near}?`;
  return (
    `${join(path, IDENTIFIER.test(key) ? key : quote(key))}: unknown field of ${desc.typeName}${hint} ` +
    `Fields: ${names.join(", ")}`
  );
}

function join(path: string, name: string): string {
  return path === "" ? name : `${path}.${name}`;
}

/** A caller's text, quoted and cut short so a hostile key cannot flood the message. */
function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}

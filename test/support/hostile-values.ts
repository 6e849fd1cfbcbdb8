import {
  create,
  type DescField,
  type DescMessage,
  getOption,
  hasOption,
  type Message,
  type MessageInitShape,
  ScalarType,
} from "@bufbuild/protobuf";
import {
  type FieldRules,
  field as fieldRulesExtension,
} from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import type { Rng } from "./fuzz-rng.js";

// Hostile values for a request's fields, chosen by the field's descriptor and its protovalidate
// rules, and requests built from them reflectively, so a new RPC or field is fuzzed without
// touching the suite.

/** A value with a short name, for the case's description. */
export interface Labelled<T> {
  readonly label: string;
  readonly value: T;
}

const SQL: readonly string[] = [
  "' OR 1=1 --",
  '"; DROP TABLE customers; --',
  "'; DELETE FROM customer_products; --",
  "C001' --",
  "%",
  "_",
  "%%",
  "%_%",
  "\\",
  "\\'",
  "''",
  "$1",
  "?",
  "?::VARCHAR",
  ")) UNION SELECT customer_id, customer_name FROM customers --",
  "1); COPY customers TO '/tmp/ca-fuzz.csv'; --",
  "read_csv('/etc/passwd')",
  "customers; DROP TABLE products",
  'customer_id" FROM customers; --',
  "*",
  "information_schema.tables",
  "../../../../etc/passwd",
  "$" + "{7*7}",
  "{{7*7}}",
  "NULL",
  "null",
];

const UNICODE: readonly string[] = [
  "\uD800",
  "\uDFFF",
  "C0\uD83D01",
  "\u202Eevil\u202C",
  "\u200F\u200E",
  "a\u200Db\u200Dc",
  "👨‍👩‍👧‍👦",
  "🏳️‍🌈🇺🇳",
  "\u0000",
  "C001\u0000",
  "\u0000' OR 1=1 --",
  "e\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308",
  "\uFEFF",
  "\uFFFE\uFFFF",
  "\u{10FFFF}",
  "ＣＯＯ１",
  "İı",
  "\r\n\t",
  " ",
];

const SHAPES: readonly string[] = [
  "",
  "C001",
  "P01",
  "customers",
  "customer_products",
  "North",
  "0000-00-00",
  "0000-01-01",
  "9999-12-31",
  "2024-02-30",
  "2020-01-01",
  "1969-12-31",
  "-1",
  "NaN",
  "a".repeat(51),
  "a".repeat(64),
  "a".repeat(256),
  "a".repeat(1025),
];

const OVERSIZED: readonly Labelled<string>[] = [
  { label: "10 kB ascii", value: "x".repeat(10_000) },
  { label: "100 kB ascii", value: "y".repeat(100_000) },
  { label: "100 kB of 2-byte chars", value: "é".repeat(50_000) },
  { label: "10 kB of emoji", value: "😀".repeat(2_500) },
  { label: "10 kB of combining marks", value: `a${"\u0301".repeat(5_000)}` },
];

/** The hostile strings by kind, each named. */
export const HOSTILE_STRING_KINDS = {
  sql: SQL.map((value) => ({ label: `sql ${JSON.stringify(value)}`, value })),
  unicode: UNICODE.map((value) => ({ label: `unicode ${escapeText(value)}`, value })),
  shape: SHAPES.map((value) => ({ label: `shape ${shortText(value)}`, value })),
  oversized: OVERSIZED,
} as const satisfies Record<string, readonly Labelled<string>[]>;

/** Every hostile string. */
export const HOSTILE_STRINGS: readonly Labelled<string>[] =
  Object.values(HOSTILE_STRING_KINDS).flat();

/** How many strings of each kind one string field gets (all the oversized ones). */
const PER_FIELD = { sql: 8, unicode: 7, shape: 5, oversized: OVERSIZED.length };

/**
 * The strings one field is swept with: every oversized string and a seeded sample of each
 * other kind, so every field sees every kind while the run stays within its budget.
 */
export function sampleHostileStrings(rng: Rng): Labelled<string>[] {
  return Object.entries(PER_FIELD).flatMap(([kind, n]) =>
    sample(HOSTILE_STRING_KINDS[kind as keyof typeof PER_FIELD], n, rng),
  );
}

/** `n` distinct items of `items`, in a seeded order. */
function sample<T>(items: readonly T[], n: number, rng: Rng): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < n && pool.length > 0) out.push(pool.splice(rng.int(pool.length), 1)[0] as T);
  return out;
}

/** The short hostile strings, for lists with many items. */
export const SHORT_HOSTILE_STRINGS = HOSTILE_STRINGS.filter((s) => s.value.length <= 64);

const INT32 = [0, 1, -1, 100, 101, 1000, 1001, 3660, 3661, 2 ** 31 - 1, -(2 ** 31)];
const UINT32 = [0, 1, 1001, 2 ** 32 - 1];
const INT64 = [0n, 1n, -1n, 2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)];
const UINT64 = [0n, 1n, 2n ** 53n, 2n ** 64n - 1n];
const DOUBLE = [
  0,
  -0,
  -1,
  1,
  0.5,
  1.0000000001,
  -Number.MIN_VALUE,
  Number.MIN_VALUE,
  2 ** 53,
  1e6,
  1_000_001,
  Number.MAX_VALUE,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
];

/** The hostile values of one scalar type (strings: a seeded sample when `rng` is given). */
export function scalarValues(type: ScalarType, rng?: Rng): readonly Labelled<unknown>[] {
  const named = <T>(values: readonly T[]) =>
    values.map((value) => ({ label: String(value), value }));
  switch (type) {
    case ScalarType.STRING:
      return rng === undefined ? HOSTILE_STRINGS : sampleHostileStrings(rng);
    case ScalarType.BOOL:
      return named([true, false]);
    case ScalarType.DOUBLE:
      return named(DOUBLE);
    case ScalarType.FLOAT:
      return named(DOUBLE.filter((d) => !Number.isFinite(d) || Math.abs(d) < 3.4e38));
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return named(INT32);
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return named(UINT32);
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return named(INT64);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return named(UINT64);
    case ScalarType.BYTES:
      return [
        { label: "empty bytes", value: new Uint8Array() },
        { label: "0xff bytes", value: new Uint8Array(64).fill(0xff) },
        { label: "64 kB of zeros", value: new Uint8Array(65_536) },
      ];
  }
}

/** Unknown and boundary numbers for an enum, and its defined values. */
export function enumValues(field: DescField & { enum: { values: { number: number }[] } }) {
  const defined = field.enum.values.map((v) => v.number);
  const max = Math.max(...defined);
  const unknown = [max + 1, 999, -1, 2 ** 31 - 1, -(2 ** 31)];
  return [
    ...defined.map((value) => ({ label: `enum ${value}`, value })),
    ...unknown.map((value) => ({ label: `unknown enum ${value}`, value })),
  ];
}

/** The field's protovalidate rules, if it has any. */
export function rulesOf(field: DescField): FieldRules | undefined {
  return hasOption(field, fieldRulesExtension) ? getOption(field, fieldRulesExtension) : undefined;
}

/** The `max_items` of a repeated field's rules, if set. */
export function maxItemsOf(field: DescField): number | undefined {
  const rules = rulesOf(field);
  return rules?.type.case === "repeated" && rules.type.value.maxItems > 0n
    ? Number(rules.type.value.maxItems)
    : undefined;
}

/** Whether the field's rules ask for a non-empty value (`min_len` or `min_items` of 1+). */
function required(field: DescField): boolean {
  const rules = rulesOf(field);
  if (rules === undefined) return false;
  if (rules.required) return true;
  if (rules.type.case === "string") return rules.type.value.minLen > 0n;
  if (rules.type.case === "repeated") return rules.type.value.minItems > 0n;
  return false;
}

/** Plausible values by field name, so a request can pass validation and reach the queries. */
const PLAUSIBLE: Readonly<Record<string, string>> = {
  customer_id: "C001",
  customer_ids: "C001",
  product_id: "P01",
  antecedent: "P01",
  consequent: "P02",
  table: "customers",
  tables: "customers",
  column: "region",
  values: "North",
  region: "North",
  regions: "North",
  status: "active",
  customer_type: "retail",
  customer_types: "retail",
  product_category: "banking",
  product_categories: "banking",
};

/** An init object with every required field set to a plausible value; the rest left unset. */
export function plausibleInit(desc: DescMessage): Record<string, unknown> {
  const init: Record<string, unknown> = {};
  for (const field of desc.fields) {
    if (!required(field)) continue;
    const text = PLAUSIBLE[field.name] ?? "x";
    if (field.fieldKind === "scalar" && field.scalar === ScalarType.STRING) {
      init[field.localName] = text;
    } else if (field.fieldKind === "list" && field.listKind === "scalar") {
      init[field.localName] = [text];
    } else if (field.fieldKind === "list" && field.listKind === "message") {
      init[field.localName] = [plausibleInit(field.message)];
    } else if (field.fieldKind === "message") {
      init[field.localName] = plausibleInit(field.message);
    }
  }
  return init;
}

/** One way to change a request: the path of the field and the value put there. */
export interface Mutation {
  readonly path: readonly DescField[];
  readonly label: string;
  readonly value: unknown;
}

/** The hostile values of one field: its kind's catalogue, or list counts around its limit. */
export function fieldValues(field: DescField, rng: Rng): Labelled<unknown>[] {
  switch (field.fieldKind) {
    case "scalar":
      return [...scalarValues(field.scalar, rng)];
    case "enum":
      return enumValues(field);
    case "message":
      return messageValues(field.message, rng);
    case "list":
      return listValues(field, rng);
    case "map":
      return [];
  }
}

/** Durations and timestamps at and past their limits; other messages are reached through. */
function messageValues(desc: DescMessage, rng: Rng): Labelled<unknown>[] {
  if (
    desc.typeName === "google.protobuf.Duration" ||
    desc.typeName === "google.protobuf.Timestamp"
  ) {
    const pairs: [bigint, number][] = [
      [0n, 0],
      [-1n, 0],
      [0n, -1],
      [0n, 999_999_999],
      [1n, -1],
      [31_536_000n, 0],
      [31_536_001n, 0],
      [315_576_000_000n, 0],
      [-315_576_000_000n, 0],
      [2n ** 63n - 1n, 0],
      [-(2n ** 63n), 0],
      [0n, 1_000_000_000],
      [0n, -(2 ** 31)],
    ];
    return pairs.map(([seconds, nanos]) => ({
      label: `${desc.name}(${seconds}s, ${nanos}ns)`,
      value: { seconds, nanos },
    }));
  }
  return [
    { label: "empty message", value: {} },
    { label: "random message", value: randomInit(desc, rng, 2) },
  ];
}

/** Item counts 0, 1, the limit and the limit + 1, with hostile or duplicate items. */
function listValues(field: DescField & { fieldKind: "list" }, rng: Rng): Labelled<unknown>[] {
  const max = maxItemsOf(field);
  const counts = [0, 1, 2, ...(max === undefined ? [50, 1001] : [max, max + 1])];
  const item = (i: number): unknown => {
    switch (field.listKind) {
      case "scalar":
        return field.scalar === ScalarType.STRING
          ? `${PLAUSIBLE[field.name] ?? "x"}${i}`
          : rng.pick(scalarValues(field.scalar)).value;
      case "enum":
        return rng.pick(field.enum.values).number;
      case "message":
        return plausibleInit(field.message);
    }
  };
  const out: Labelled<unknown>[] = counts.map((n) => ({
    label: `${n} items`,
    value: Array.from({ length: n }, (_, i) => item(i)),
  }));
  out.push({ label: "duplicate items", value: [item(0), item(0)] });
  if (field.listKind === "scalar") {
    const strings = field.scalar === ScalarType.STRING ? sampleHostileStrings(rng) : [];
    for (const one of sample(strings, 10, rng)) {
      out.push({ label: `one item: ${one.label}`, value: [one.value] });
    }
    const shortOnes = field.scalar === ScalarType.STRING ? SHORT_HOSTILE_STRINGS : [];
    if (shortOnes.length > 0) {
      const n = max ?? 100;
      out.push({
        label: `${n} hostile items`,
        value: Array.from({ length: n }, () => rng.pick(shortOnes).value),
      });
    }
  }
  if (field.listKind === "enum") {
    for (const one of enumValues(field))
      out.push({ label: `one ${one.label}`, value: [one.value] });
  }
  if (field.listKind === "message") {
    out.push({
      label: "random items",
      value: Array.from({ length: 1 + rng.int(3) }, () => randomInit(field.message, rng, 2)),
    });
  }
  return out;
}

/** A request with a random hostile value in some fields, the rest plausible or unset. */
export function randomInit(desc: DescMessage, rng: Rng, depth = 3): Record<string, unknown> {
  const init = plausibleInit(desc);
  for (const field of desc.fields) {
    if (field.fieldKind === "message" && depth <= 0) continue;
    if (!rng.chance(0.5)) continue;
    const values = fieldValues(field, rng);
    if (values.length > 0) init[field.localName] = rng.pick(values).value;
  }
  return init;
}

/**
 * Every single-field mutation of a request: each field (and each field of a nested request
 * message such as ReadOptions, or of the first item of a repeated one such as ExportFilter)
 * paired with each of its hostile values, on a plausible base.
 */
export function sweepMutations(desc: DescMessage, rng: Rng): Mutation[] {
  const out: Mutation[] = [];
  const walk = (message: DescMessage, prefix: readonly DescField[], depth: number) => {
    for (const field of message.fields) {
      const path = [...prefix, field];
      for (const { label, value } of fieldValues(field, rng)) out.push({ path, label, value });
      const inner =
        field.fieldKind === "message" ||
        (field.fieldKind === "list" && field.listKind === "message")
          ? field.message
          : undefined;
      if (inner !== undefined && !inner.typeName.startsWith("google.protobuf.") && depth > 0) {
        walk(inner, path, depth - 1);
      }
    }
  };
  walk(desc, [], 1);
  return out;
}

/** A plausible request of `desc` with `mutation` applied. */
export function applyMutation(desc: DescMessage, mutation: Mutation): Record<string, unknown> {
  const init = plausibleInit(desc);
  let target = init;
  const path = mutation.path;
  for (let i = 0; i < path.length - 1; i++) {
    const field = path[i] as DescField;
    if (field.fieldKind === "list" && field.listKind === "message") {
      // A field of a repeated message: mutate the first item (a plausible one).
      const items = (target[field.localName] as Record<string, unknown>[] | undefined) ?? [
        plausibleInit(field.message),
      ];
      target[field.localName] = items;
      target = items[0] as Record<string, unknown>;
    } else {
      const next = (target[field.localName] as Record<string, unknown> | undefined) ?? {};
      target[field.localName] = next;
      target = next;
    }
  }
  const last = path[path.length - 1] as DescField;
  target[last.localName] = mutation.value;
  return init;
}

/** Builds the message; an init object the runtime refuses is reported by the caller. */
export function build(desc: DescMessage, init: Record<string, unknown>): Message {
  return create(desc, init as MessageInitShape<DescMessage>);
}

/** A readable rendering of a request: long strings shortened, bigints and bytes spelled out. */
export function describeValue(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") return `${v}n`;
    if (typeof v === "string") return v.length > 64 ? shortText(v) : escapeText(v);
    if (typeof v === "number" && !Number.isFinite(v)) return String(v);
    if (v instanceof Uint8Array) return `<${v.length} bytes>`;
    return v;
  });
}

function shortText(value: string): string {
  return value.length > 64 ? `<${value.length} chars: ${escapeText(value.slice(0, 16))}…>` : value;
}

/** Non-printable and non-ASCII code units as \uXXXX, so a printed case can be replayed. */
function escapeText(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    out += c < 0x20 || c > 0x7e ? `\\u${c.toString(16).padStart(4, "0")}` : value[i];
  }
  return out;
}

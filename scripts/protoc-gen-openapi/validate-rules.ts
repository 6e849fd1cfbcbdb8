import {
  type DescEnum,
  type DescField,
  type DescMessage,
  getOption,
  hasOption,
} from "@bufbuild/protobuf";
import {
  type FieldRules,
  field as fieldRulesExt,
  message as messageRulesExt,
  type StringRules,
} from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import type { JsonSchema } from "./json-schema.js";

/** What protovalidate's rules of one field add to its schema. */
export interface FieldConstraints {
  /** The field must be present (or, without presence, not its zero value). */
  readonly required: boolean;
  /** Rules JSON Schema has no keyword for, as text for the description. */
  readonly notes: readonly string[];
}

/** The field's `(buf.validate.field)` rules, or undefined when it has none. */
export function fieldRules(field: DescField): FieldRules | undefined {
  return hasOption(field, fieldRulesExt) ? getOption(field, fieldRulesExt) : undefined;
}

/**
 * Writes a field's protovalidate rules into its schema as the JSON Schema keywords that mean the
 * same (lengths, bounds, patterns, item counts, uniqueness, allowed values), so a client can
 * check a request before sending it; the rest (CEL expressions, int64 bounds on digit strings)
 * come back as notes for the description. The server checks every rule either way.
 */
export function applyFieldRules(
  rules: FieldRules,
  schema: JsonSchema,
  items: JsonSchema | undefined,
  enumType?: DescEnum,
): FieldConstraints {
  const notes: string[] = [];
  for (const rule of rules.cel) notes.push(`Rule ${rule.id}: ${rule.message || rule.expression}.`);
  const t = rules.type;
  switch (t.case) {
    case "string":
      applyString(t.value, schema);
      break;
    case "int32":
    case "uint32":
    case "sint32":
    case "fixed32":
    case "sfixed32":
    case "double":
    case "float":
      applyNumeric(t.value, schema);
      break;
    case "int64":
    case "uint64":
    case "sint64":
    case "fixed64":
    case "sfixed64":
      if (numericText(t.value) !== "") notes.push(numericText(t.value));
      break;
    case "enum": {
      const name = (n: number) => enumType?.values.find((v) => v.number === n)?.name ?? String(n);
      if (t.value.definedOnly) notes.push("Only the values listed are accepted.");
      if (t.value.in.length > 0) schema.enum = t.value.in.map(name);
      if (t.value.notIn.length > 0) schema.not = { enum: t.value.notIn.map(name) };
      break;
    }
    case "repeated": {
      const r = t.value;
      if (r.minItems > 0n) schema.minItems = Number(r.minItems);
      if (r.maxItems > 0n) schema.maxItems = Number(r.maxItems);
      if (r.unique) schema.uniqueItems = true;
      if (r.items !== undefined && items !== undefined) {
        notes.push(...applyFieldRules(r.items, items, undefined, enumType).notes);
      }
      break;
    }
    case "map":
      if (t.value.minPairs > 0n) schema.minProperties = Number(t.value.minPairs);
      if (t.value.maxPairs > 0n) schema.maxProperties = Number(t.value.maxPairs);
      break;
    case "duration": {
      const { greaterThan: gt, lessThan: lt } = t.value;
      const parts: string[] = [];
      if (gt.case !== undefined) parts.push(`${gt.case} ${durationText(gt.value)}`);
      if (lt.case !== undefined) parts.push(`${lt.case} ${durationText(lt.value)}`);
      if (parts.length > 0) notes.push(`Value must be ${parts.join(" and ")}.`);
      break;
    }
    default:
      break;
  }
  return { required: rules.required, notes };
}

function applyString(r: StringRules, schema: JsonSchema): void {
  if (r.len > 0n) {
    schema.minLength = Number(r.len);
    schema.maxLength = Number(r.len);
  }
  if (r.minLen > 0n) schema.minLength = Number(r.minLen);
  if (r.maxLen > 0n) schema.maxLength = Number(r.maxLen);
  if (r.pattern !== "") schema.pattern = r.pattern;
  if (r.const !== "") schema.const = r.const;
  if (r.in.length > 0) schema.enum = [...r.in];
  if (r.notIn.length > 0) schema.not = { enum: [...r.notIn] };
  if (r.wellKnown.case === "email") schema.format = "email";
  if (r.wellKnown.case === "uuid") schema.format = "uuid";
  if (r.wellKnown.case === "uri") schema.format = "uri";
}

/** The bound fields every numeric rule message shares (`lt`/`lte`, `gt`/`gte`, `in`). */
interface NumericRules {
  readonly lessThan: {
    readonly case: string | undefined;
    readonly value?: number | bigint | undefined;
  };
  readonly greaterThan: {
    readonly case: string | undefined;
    readonly value?: number | bigint | undefined;
  };
  readonly in: readonly (number | bigint)[];
}

function applyNumeric(r: NumericRules, schema: JsonSchema): void {
  const lt = r.lessThan;
  const gt = r.greaterThan;
  if (lt.case === "lt" && lt.value !== undefined) schema.exclusiveMaximum = Number(lt.value);
  if (lt.case === "lte" && lt.value !== undefined) schema.maximum = Number(lt.value);
  if (gt.case === "gt" && gt.value !== undefined) schema.exclusiveMinimum = Number(gt.value);
  if (gt.case === "gte" && gt.value !== undefined) schema.minimum = Number(gt.value);
  if (r.in.length > 0) schema.enum = r.in.map(Number);
}

function numericText(r: NumericRules): string {
  const parts: string[] = [];
  if (r.greaterThan.case !== undefined)
    parts.push(`${r.greaterThan.case} ${String(r.greaterThan.value)}`);
  if (r.lessThan.case !== undefined) parts.push(`${r.lessThan.case} ${String(r.lessThan.value)}`);
  return parts.length === 0 ? "" : `Value must be ${parts.join(" and ")}.`;
}

/** A Duration bound in its JSON form ("3600s"). */
function durationText(d: { readonly seconds: bigint; readonly nanos: number }): string {
  const nanos = d.nanos === 0 ? "" : `.${String(d.nanos).padStart(9, "0").replace(/0+$/, "")}`;
  return `"${String(d.seconds)}${nanos}s"`;
}

/** The message-level CEL rules, as sentences for the message's description. */
export function messageRuleNotes(message: DescMessage): string[] {
  if (!hasOption(message, messageRulesExt)) return [];
  const rules = getOption(message, messageRulesExt);
  return rules.cel.map((rule) => `Rule ${rule.id}: ${rule.message || rule.expression}.`);
}

import type { DescEnum, DescField, DescMessage } from "@bufbuild/protobuf";
import { describe, joinDescriptions } from "./comments.js";
import { type JsonSchema, schemaRef } from "./json-schema.js";
import { isStringInteger, scalarSchema } from "./scalars.js";
import { applyFieldRules, fieldRules, messageRuleNotes } from "./validate-rules.js";
import { WELL_KNOWN } from "./well-known.js";

/**
 * Collects the schemas of messages and enums reachable from the RPCs, one component per
 * protobuf type, named by its full name. Every message is written as proto3 JSON writes it:
 * fields by their JSON (lowerCamelCase) names, zero values left out, so no response field is
 * required; request fields carry their protovalidate rules.
 */
export class SchemaCollector {
  private readonly schemas = new Map<string, JsonSchema>();

  /** A reference to the message's schema, collecting it (and what it uses) on first sight. */
  messageRef(message: DescMessage): JsonSchema {
    if (!this.schemas.has(message.typeName)) {
      const known = WELL_KNOWN[message.typeName];
      if (known !== undefined) {
        this.schemas.set(message.typeName, known);
      } else {
        this.schemas.set(message.typeName, {});
        this.schemas.set(message.typeName, this.messageSchema(message));
      }
    }
    return schemaRef(message.typeName);
  }

  /** The components collected so far, sorted by name so every run writes the same document. */
  components(): Record<string, JsonSchema> {
    const names = [...this.schemas.keys()].sort();
    return Object.fromEntries(names.map((name) => [name, this.schemas.get(name) ?? {}]));
  }

  /** Adds a hand-written component (the Connect error body, for example). */
  add(name: string, schema: JsonSchema): void {
    this.schemas.set(name, schema);
  }

  private enumRef(e: DescEnum): JsonSchema {
    if (!this.schemas.has(e.typeName)) {
      const values = e.values.map((v) => {
        const text = describe(v);
        return text === undefined
          ? `- \`${v.name}\``
          : `- \`${v.name}\`: ${text.replace(/\n/g, " ")}`;
      });
      this.schemas.set(e.typeName, {
        type: "string",
        enum: e.values.map((v) => v.name),
        description: joinDescriptions(
          describe(e),
          values.join("\n"),
          "Written by name; the numbers of the values are accepted in requests too.",
        ),
      });
    }
    return schemaRef(e.typeName);
  }

  private messageSchema(message: DescMessage): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const field of message.fields) {
      const { schema, isRequired } = this.fieldSchema(field);
      properties[field.jsonName] = schema;
      if (isRequired) required.push(field.jsonName);
    }
    const schema: JsonSchema = {
      type: "object",
      description: joinDescriptions(describe(message), ...messageRuleNotes(message)),
      properties,
    };
    if (required.length > 0) schema.required = required;
    const groups = message.oneofs
      .filter((oneof) => oneof.fields.length > 1)
      .map((oneof) => atMostOne(oneof.fields.map((f) => f.jsonName)));
    if (groups.length > 0) schema.allOf = groups;
    return schema;
  }

  private fieldSchema(field: DescField): { schema: JsonSchema; isRequired: boolean } {
    let schema: JsonSchema;
    let items: JsonSchema | undefined;
    switch (field.fieldKind) {
      case "scalar":
        schema = scalarSchema(field.scalar);
        break;
      case "enum":
        schema = this.enumRef(field.enum);
        break;
      case "message":
        schema = this.messageRef(field.message);
        break;
      case "list":
        items =
          field.listKind === "scalar"
            ? scalarSchema(field.scalar)
            : field.listKind === "enum"
              ? this.enumRef(field.enum)
              : this.messageRef(field.message);
        schema = { type: "array", items };
        break;
      case "map": {
        const value =
          field.mapKind === "scalar"
            ? scalarSchema(field.scalar)
            : field.mapKind === "enum"
              ? this.enumRef(field.enum)
              : this.messageRef(field.message);
        schema = { type: "object", additionalProperties: value };
        const keys = scalarSchema(field.mapKey);
        if (keys.type !== "string") {
          schema.propertyNames = {
            pattern: keys.type === "boolean" ? "^(true|false)$" : "^-?[0-9]+$",
          };
        }
        break;
      }
    }
    const notes: string[] = [];
    let isRequired = false;
    const rules = fieldRules(field);
    if (rules !== undefined) {
      const enumType =
        field.fieldKind === "enum" || (field.fieldKind === "list" && field.listKind === "enum")
          ? field.enum
          : undefined;
      const applied = applyFieldRules(rules, schema, items, enumType);
      isRequired = applied.required;
      notes.push(...applied.notes);
    }
    if (field.fieldKind === "scalar" && isStringInteger(field.scalar)) {
      notes.push("A 64-bit integer, written as a string of digits.");
    }
    if (field.oneof !== undefined) notes.push(`One of the \`${field.oneof.name}\` choices.`);
    const description = joinDescriptions(describe(field), ...notes);
    // A $ref takes no siblings in tools that still read it as OpenAPI 3.0: wrap it.
    if (schema.$ref !== undefined && description !== undefined) {
      schema = { allOf: [schema], description };
    } else if (description !== undefined) {
      schema.description = description;
    }
    return { schema, isRequired };
  }
}

/** A oneof: at most one of its members is present in the JSON object. */
function atMostOne(members: readonly string[]): JsonSchema {
  return {
    not: { anyOf: pairs(members).map(([a, b]) => ({ required: [a, b] })) },
  };
}

function pairs(xs: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  xs.forEach((a, i) => {
    for (const b of xs.slice(i + 1)) out.push([a, b]);
  });
  return out;
}

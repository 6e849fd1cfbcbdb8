/**
 * Regenerates `proto/third_party/protovalidate/buf/validate/validate.proto` from the
 * FileDescriptorProto that `@bufbuild/protovalidate` embeds in its generated code.
 * No npm package ships the .proto file itself, and buf.build / GitHub are unreachable.
 *
 * Run: `npx tsx test/tools/export-validate-proto.ts`. Verify: `test/tools/check-validate-proto.ts`.
 *
 * @module
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  clone,
  type DescMessage,
  getExtension,
  hasExtension,
  isFieldSet,
  type Message,
  ScalarType,
} from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import { toText } from "@bufbuild/protobuf/txtpb";
import {
  type DescriptorProto,
  type EnumDescriptorProto,
  EnumOptionsSchema,
  EnumValueOptionsSchema,
  type FieldDescriptorProto,
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FieldDescriptorProtoSchema,
  FieldOptionsSchema,
  type FileDescriptorProto,
  FileOptionsSchema,
  MessageOptionsSchema,
  OneofOptionsSchema,
} from "@bufbuild/protobuf/wkt";
import {
  file_buf_validate_validate,
  predefined,
  RuleSchema,
} from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";

/** Repository-relative path of the generated file. */
export const VALIDATE_PROTO_PATH = "proto/third_party/protovalidate/buf/validate/validate.proto";

const repoRoot = new URL("../../", import.meta.url);

/** `name`, `version` and `license` from the installed `@bufbuild/protovalidate/package.json`. */
export function protovalidatePackage(): { name: string; version: string; license: string } {
  const url = new URL("node_modules/@bufbuild/protovalidate/package.json", repoRoot);
  const pkg: unknown = JSON.parse(readFileSync(url, "utf8"));
  const { name, version, license } = pkg as Record<string, unknown>;
  if (typeof name !== "string" || typeof version !== "string" || typeof license !== "string") {
    throw new Error(`unexpected ${fileURLToPath(url)}`);
  }
  return { name, version, license };
}

const ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  '"': '\\"',
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

/** Quotes a string as a proto / text-format string literal (UTF-8 passes through). */
export function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    const hex = `\\x${code.toString(16).padStart(2, "0")}`;
    out += ESCAPES[ch] ?? (code < 0x20 || code === 0x7f ? hex : ch);
  }
  return `${out}"`;
}

const indent = (text: string, by = "  "): string =>
  text
    .split("\n")
    .map((l) => (l === "" ? l : by + l))
    .join("\n");

/** protoc's default json_name: drop underscores, upper-case the letter after each. */
const defaultJsonName = (name: string): string =>
  name.replace(/_(.)?/g, (_, c?: string) => (c ?? "").toUpperCase());

/** Renders the set, non-extension fields of an options message as `name = value` entries. */
function plainOptions(schema: DescMessage, options: Message | undefined): string[] {
  if (options === undefined) return [];
  const r = reflect(schema, options);
  if ((r.getUnknown() ?? []).length > 0) {
    throw new Error(`unsupported extension or unknown field in ${schema.typeName}`);
  }
  const out: string[] = [];
  for (const f of r.fields) {
    if (!r.isSet(f)) continue;
    if (f.fieldKind === "scalar") {
      const v = r.get(f);
      out.push(`${f.name} = ${f.scalar === ScalarType.STRING ? quote(String(v)) : String(v)}`);
    } else if (f.fieldKind === "enum") {
      const n = r.get(f);
      out.push(`${f.name} = ${f.enum.values.find((v) => v.number === n)?.name ?? String(n)}`);
    } else {
      throw new Error(`unsupported option ${schema.typeName}.${f.name}`);
    }
  }
  return out;
}

/** Renders `head { body }`, or `head {}` when the body is empty. */
const block = (head: string, body: string[]): string =>
  body.length === 0 ? `${head} {}` : `${head} {\n${indent(body.join("\n"))}\n}`;

/** Renders a `[...]` option list (empty string when there are none). */
function bracket(opts: string[]): string {
  if (opts.length === 0) return "";
  if (opts.length === 1 && opts[0] !== undefined) return ` [${opts[0]}]`;
  return ` [\n${opts.map((o) => indent(o)).join(",\n")}\n]`;
}

/** Renders a reference to a message or enum, relative to the file's package when possible. */
function typeRef(file: FileDescriptorProto, typeName: string): string {
  const own = `.${file.package}.`;
  return typeName.startsWith(own) ? typeName.slice(own.length) : typeName.slice(1);
}

/** Renders one field or extension declaration with its options. */
function fieldLine(file: FileDescriptorProto, f: FieldDescriptorProto, inOneof: boolean): string {
  if (f.type === FieldDescriptorProto_Type.GROUP) throw new Error(`groups unsupported: ${f.name}`);
  const label = inOneof ? "" : `${FieldDescriptorProto_Label[f.label].toLowerCase()} `;
  const type =
    f.typeName !== "" ? typeRef(file, f.typeName) : FieldDescriptorProto_Type[f.type].toLowerCase();
  const opts: string[] = [];
  const has = (name: "defaultValue" | "jsonName"): boolean =>
    isFieldSet(f, FieldDescriptorProtoSchema.field[name]);
  if (has("defaultValue")) {
    const isText = f.type === FieldDescriptorProto_Type.STRING;
    if (f.type === FieldDescriptorProto_Type.BYTES) throw new Error(`bytes default: ${f.name}`);
    opts.push(`default = ${isText ? quote(f.defaultValue) : f.defaultValue}`);
  }
  if (f.extendee === "" && has("jsonName") && f.jsonName !== defaultJsonName(f.name)) {
    opts.push(`json_name = ${quote(f.jsonName)}`);
  }
  if (f.options !== undefined) {
    const rest = clone(FieldOptionsSchema, f.options);
    if (hasExtension(f.options, predefined)) {
      for (const rule of getExtension(f.options, predefined).cel) {
        opts.push(`(buf.validate.predefined).cel = {\n${indent(toText(RuleSchema, rule))}}`);
      }
      rest.$unknown = rest.$unknown?.filter((u) => u.no !== predefined.number);
    }
    opts.push(...plainOptions(FieldOptionsSchema, rest));
  }
  return `${label}${type} ${f.name} = ${f.number}${bracket(opts)};`;
}

/** Renders `extend X { ... }` blocks, one per run of fields with the same extendee. */
function extendBlocks(file: FileDescriptorProto, exts: FieldDescriptorProto[]): string[] {
  const out: string[] = [];
  let extendee = "";
  let body: string[] = [];
  const flush = (): void => {
    if (body.length > 0) out.push(block(`extend ${typeRef(file, extendee)}`, body));
    body = [];
  };
  for (const x of exts) {
    if (x.extendee !== extendee) flush();
    extendee = x.extendee;
    body.push(fieldLine(file, x, false));
  }
  flush();
  return out;
}

/** Renders `reserved` statements; enum ranges are inclusive, message ranges end-exclusive. */
function reserved(
  ranges: { start: number; end: number }[],
  names: string[],
  inclusive: boolean,
  max: number,
): string[] {
  const out: string[] = [];
  const last = (end: number): number => (inclusive ? end : end - 1);
  const r = ranges.map(({ start, end }) =>
    last(end) === start ? `${start}` : `${start} to ${last(end) === max ? "max" : last(end)}`,
  );
  if (r.length > 0) out.push(`reserved ${r.join(", ")};`);
  if (names.length > 0) out.push(`reserved ${names.map(quote).join(", ")};`);
  return out;
}

/** Renders an enum with its options, values and reservations. */
function enumBlock(e: EnumDescriptorProto): string {
  const body = [
    ...plainOptions(EnumOptionsSchema, e.options).map((o) => `option ${o};`),
    ...e.value.map(
      (v) => `${v.name} = ${v.number}${bracket(plainOptions(EnumValueOptionsSchema, v.options))};`,
    ),
    ...reserved(e.reservedRange, e.reservedName, true, 2147483647),
  ];
  return block(`enum ${e.name}`, body);
}

/** Renders a message; oneof blocks follow field order, so oneof_decl order is kept. */
function messageBlock(file: FileDescriptorProto, m: DescriptorProto): string {
  const body: string[] = plainOptions(MessageOptionsSchema, m.options).map((o) => `option ${o};`);
  let oneof: string[] = [];
  let oneofIndex: number | undefined;
  const closeOneof = (): void => {
    const decl = oneofIndex === undefined ? undefined : m.oneofDecl[oneofIndex];
    if (decl === undefined) return;
    const opts = plainOptions(OneofOptionsSchema, decl.options).map((o) => `option ${o};`);
    body.push(block(`oneof ${decl.name}`, [...opts, ...oneof]));
    oneof = [];
    oneofIndex = undefined;
  };
  for (const f of m.field) {
    const inOneof = isFieldSet(f, FieldDescriptorProtoSchema.field.oneofIndex) && !f.proto3Optional;
    if (!inOneof || f.oneofIndex !== oneofIndex) closeOneof();
    if (inOneof) {
      oneofIndex = f.oneofIndex;
      oneof.push(fieldLine(file, f, true));
    } else {
      body.push(fieldLine(file, f, false));
    }
  }
  closeOneof();
  for (const n of m.nestedType) {
    if (n.options?.mapEntry === true) throw new Error(`map fields unsupported: ${m.name}`);
    body.push(messageBlock(file, n));
  }
  body.push(...m.enumType.map(enumBlock), ...extendBlocks(file, m.extension));
  for (const x of m.extensionRange) {
    const to = x.end - 1 === 536870911 ? "max" : `${x.end - 1}`;
    if (x.options !== undefined) throw new Error(`extension range options unsupported: ${m.name}`);
    body.push(`extensions ${x.start === x.end - 1 ? x.start : `${x.start} to ${to}`};`);
  }
  body.push(...reserved(m.reservedRange, m.reservedName, false, 536870911));
  return block(`message ${m.name}`, body);
}

/** Renders the embedded `buf/validate/validate.proto` descriptor as proto2 source text. */
export function renderValidateProto(
  file: FileDescriptorProto = file_buf_validate_validate.proto,
): string {
  if (file.syntax !== "" && file.syntax !== "proto2") throw new Error(`syntax ${file.syntax}`);
  const pkg = protovalidatePackage();
  const header = [
    `// Generated from the FileDescriptorProto embedded in ${pkg.name}@${pkg.version}`,
    "// (export file_buf_validate_validate) by test/tools/export-validate-proto.ts. DO NOT EDIT.",
    "// Regenerate with `npx tsx test/tools/export-validate-proto.ts`; verify with",
    "// `npx tsx test/tools/check-validate-proto.ts`. Comments of the original are not preserved.",
    "//",
    "// protovalidate: Copyright Buf Technologies, Inc.",
    `// Licensed under the Apache License, Version 2.0 (SPDX: ${pkg.license}); you may not use`,
    "// this file except in compliance with the License. You may obtain a copy at",
    '// http://www.apache.org/licenses/LICENSE-2.0. Distributed on an "AS IS" BASIS, WITHOUT',
    "// WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.",
  ];
  const parts = [
    header.join("\n"),
    'syntax = "proto2";',
    `package ${file.package};`,
    file.dependency
      .map((d, i) => `import ${file.publicDependency.includes(i) ? "public " : ""}${quote(d)};`)
      .join("\n"),
    plainOptions(FileOptionsSchema, file.options)
      .sort() // the order `buf format` uses
      .map((o) => `option ${o};`)
      .join("\n"),
    ...file.messageType.map((m) => messageBlock(file, m)),
    ...file.enumType.map(enumBlock),
    ...extendBlocks(file, file.extension),
  ];
  return `${parts.filter((p) => p !== "").join("\n\n")}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const out = new URL(VALIDATE_PROTO_PATH, repoRoot);
  const text = renderValidateProto();
  mkdirSync(new URL(".", out), { recursive: true });
  writeFileSync(out, text);
  console.log(`wrote ${VALIDATE_PROTO_PATH} (${text.split("\n").length - 1} lines)`);
}

/**
 * Verifies `proto/third_party/protovalidate/buf/validate/validate.proto`:
 *
 * 1. it carries the generated-file and licence header;
 * 2. it is what `export-validate-proto.ts` produces for the installed package (not stale);
 * 3. `buf build` compiles it to the same FileDescriptorProto that `@bufbuild/protovalidate`
 *    embeds (ignoring `json_name` and `source_code_info`; extensions such as
 *    `(buf.validate.predefined)` and unknown fields are compared too).
 *
 * Prints MATCH and exits 0, or prints what differs and exits 1.
 * Run: `npx tsx test/tools/check-validate-proto.ts`.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  clearField,
  clone,
  createRegistry,
  equals,
  fromBinary,
  type JsonValue,
  toBinary,
  toJson,
} from "@bufbuild/protobuf";
import {
  type DescriptorProto,
  type FieldDescriptorProto,
  FieldDescriptorProtoSchema,
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
} from "@bufbuild/protobuf/wkt";
import { file_buf_validate_validate } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import {
  protovalidatePackage,
  renderValidateProto,
  VALIDATE_PROTO_PATH,
} from "./export-validate-proto.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const registry = createRegistry(file_buf_validate_validate);

/** Compiles the vendored module with `buf build` in a temporary copy and returns validate.proto. */
export function buildWithBuf(): FileDescriptorProto {
  const tmp = mkdtempSync(join(tmpdir(), "check-validate-proto-"));
  try {
    const module = join(tmp, "protovalidate");
    cpSync(join(repoRoot, "proto/third_party/protovalidate"), module, { recursive: true });
    writeFileSync(join(module, "buf.yaml"), "version: v2\n");
    const out = join(tmp, "image.binpb");
    execFileSync("npx", ["buf", "build", module, "-o", out], { cwd: repoRoot, stdio: "inherit" });
    const set = fromBinary(FileDescriptorSetSchema, readFileSync(out));
    const file = set.file.find((f) => f.name === "buf/validate/validate.proto");
    if (file === undefined) throw new Error("buf/validate/validate.proto not in buf build output");
    return file;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Field number of buf's `buf.alpha.image.v1.ImageFileExtension` (is_import,
 * is_syntax_unspecified, ...), which `buf build` images append to every FileDescriptorProto.
 */
const BUF_IMAGE_FILE_EXTENSION = 8042;

/** Returns a copy without `json_name` (anywhere), `source_code_info` and buf's image metadata. */
export function normalize(file: FileDescriptorProto): FileDescriptorProto {
  const copy = clone(FileDescriptorProtoSchema, file);
  copy.sourceCodeInfo = undefined;
  copy.$unknown = copy.$unknown?.filter((u) => u.no !== BUF_IMAGE_FILE_EXTENSION);
  const clearFields = (fields: FieldDescriptorProto[]): void => {
    for (const f of fields) clearField(f, FieldDescriptorProtoSchema.field.jsonName);
  };
  const clearMessage = (m: DescriptorProto): void => {
    clearFields(m.field);
    clearFields(m.extension);
    m.nestedType.forEach(clearMessage);
  };
  clearFields(copy.extension);
  copy.messageType.forEach(clearMessage);
  return copy;
}

/** Lists JSON paths where two values differ (at most `limit`). */
export function jsonDiff(a: JsonValue, b: JsonValue, path = "$", limit = 20): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isObj = (v: JsonValue): v is { [k: string]: JsonValue } | JsonValue[] =>
    typeof v === "object" && v !== null;
  if (!isObj(a) || !isObj(b) || Array.isArray(a) !== Array.isArray(b)) {
    return [`${path}: embedded ${JSON.stringify(a)} != buf ${JSON.stringify(b)}`];
  }
  const out: string[] = [];
  const ra = a as Record<string, JsonValue>;
  const rb = b as Record<string, JsonValue>;
  for (const k of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
    const va = ra[k];
    const vb = rb[k];
    const p = Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`;
    if (va === undefined || vb === undefined) {
      out.push(`${p}: ${va === undefined ? "only in buf" : "only in embedded"}`);
    } else {
      out.push(...jsonDiff(va, vb, p, limit - out.length));
    }
    if (out.length >= limit) break;
  }
  return out.slice(0, limit);
}

/** Returns the problems with the header of the generated file (empty when fine). */
export function checkHeader(text: string): string[] {
  const { name, version } = protovalidatePackage();
  const head = text.slice(0, text.indexOf("syntax ="));
  const want = [
    `${name}@${version}`,
    "FileDescriptorProto embedded",
    "test/tools/export-validate-proto.ts",
    "Apache License, Version 2.0",
    "Buf Technologies",
  ];
  return want.filter((w) => !head.includes(w)).map((w) => `header lacks ${JSON.stringify(w)}`);
}

function main(): number {
  const text = readFileSync(join(repoRoot, VALIDATE_PROTO_PATH), "utf8");
  const problems = checkHeader(text);
  if (text !== renderValidateProto()) {
    problems.push(`${VALIDATE_PROTO_PATH} is stale: rerun test/tools/export-validate-proto.ts`);
  }
  const embedded = normalize(file_buf_validate_validate.proto);
  let built: FileDescriptorProto;
  try {
    built = normalize(buildWithBuf());
  } catch (e) {
    console.error(`MISMATCH\n${[...problems, `buf build failed: ${String(e)}`].join("\n")}`);
    return 1;
  }
  if (
    !equals(FileDescriptorProtoSchema, embedded, built, {
      registry,
      extensions: true,
      unknown: true,
    })
  ) {
    const opts = { registry };
    const diff = jsonDiff(
      toJson(FileDescriptorProtoSchema, embedded, opts),
      toJson(FileDescriptorProtoSchema, built, opts),
    );
    problems.push(
      "buf build output differs from the embedded descriptor:",
      ...(diff.length > 0 ? diff : ["(only in unknown fields, which JSON does not show)"]),
    );
  }
  const bytesA = toBinary(FileDescriptorProtoSchema, embedded);
  const bytesB = toBinary(FileDescriptorProtoSchema, built);
  const identical = Buffer.compare(bytesA, bytesB) === 0;
  if (problems.length > 0) {
    console.error(`MISMATCH\n${problems.join("\n")}`);
    return 1;
  }
  console.log(
    `MATCH: exported validate.proto compiles to the embedded descriptor (${
      identical ? "byte-identical" : "equal, but serialized differently"
    }, ${bytesA.length} bytes, json_name and source_code_info ignored)`,
  );
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) process.exitCode = main();

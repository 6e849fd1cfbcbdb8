import { promisify } from "node:util";
import * as zlib from "node:zlib";
import { type DescMessage, fromBinary } from "@bufbuild/protobuf";
import { base64Decode } from "@bufbuild/protobuf/wire";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import {
  createAsyncIterable,
  type UniversalHandler,
  type UniversalServerRequest,
  type UniversalServerResponse,
} from "@connectrpc/connect/protocol";
import { codeToHttpStatus, errorToJsonBytes } from "@connectrpc/connect/protocol-connect";
import { refuseUnknownJson } from "./strict-json.js";

/** How a request body is laid out, by content type; `json` bodies are read as JSON, not decoded. */
interface BodyShape {
  /** 5-byte-prefixed envelopes (gRPC, gRPC-Web, Connect streams), else one message. */
  readonly enveloped: boolean;
  /** The flag that ends the protocol's stream (skipped, not decoded, by connect-es). */
  readonly endFlag?: number;
  readonly json: boolean;
}

const SHAPES: readonly [RegExp, Omit<BodyShape, "json">][] = [
  [/^application\/(proto|json)(\s*;|$)/i, { enveloped: false }],
  [/^application\/grpc-web(\+(proto|json))?(\s*;|$)/i, { enveloped: true, endFlag: 0x80 }],
  [/^application\/grpc(\+(proto|json))?(\s*;|$)/i, { enveloped: true }],
  [/^application\/connect\+(proto|json)(\s*;|$)/i, { enveloped: true, endFlag: 0x02 }],
];
const COMPRESSED = 0x01;

function shapeOf(contentType: string): BodyShape | undefined {
  const found = SHAPES.find(([pattern]) => pattern.test(contentType));
  return found === undefined ? undefined : { ...found[1], json: /json/i.test(contentType) };
}

/** gRPC's `grpc-timeout` (at most 8 digits and a unit) in milliseconds per unit. */
const GRPC_TIMEOUT = /^(\d{1,8})([HMSmun])$/;
const GRPC_UNIT_MS: Readonly<Record<string, number>> = {
  H: 3_600_000,
  M: 60_000,
  S: 1_000,
  m: 1,
  u: 0.001,
  n: 0.000_001,
};

/**
 * How a message's bytes are checked once inflated: decoded as protobuf, read as JSON against
 * the descriptor ({@link refuseUnknownJson}), or not at all (only inflated).
 */
type Decode = "proto" | "json" | "none";

/** Refuses `bytes` (decompressed per `encoding`) unless they decode as `decode` says. */
type Check = (bytes: Uint8Array, encoding: string | null, decode: Decode) => Promise<void>;

type Decompress = (bytes: Uint8Array, options: { maxOutputLength: number }) => Promise<Buffer>;

/** The request encodings the adapter accepts (connect-node's gzip and br). */
const DECOMPRESS: Readonly<Record<string, Decompress>> = {
  gzip: promisify(zlib.gunzip),
  br: promisify(zlib.brotliDecompress),
};

export interface RequestBodyLimits {
  /** MAX_REQUEST_BYTES: bodies past it are left to connect-es, which names the limit. */
  readonly readMaxBytes: number;
  /** DEFAULT_DEADLINE: how long a request body may take to arrive when the call has no deadline. */
  readonly defaultDeadlineMs: number;
}

/**
 * Three things connect-es leaves to the server about the request body, done here by wrapping
 * every route's handler:
 *
 * - JSON with unknown fields, unknown enum names or unrepresentable Durations is refused with
 *   INVALID_ARGUMENT naming the field and what is accepted ({@link refuseUnknownJson}), where
 *   connect-es would ignore the typo (or name no field). *
 * - A body that does not decode (not protobuf, invalid UTF-8 in a string, a bad compressed
 *   payload, a compressed envelope without an encoding) is answered by connect-es with
 *   INTERNAL, before any interceptor runs, so the central mapping (connect-error-from.ts)
 *   never sees it. INTERNAL means a fault of ours to callers, dashboards and alerts; such a
 *   body is the caller's fault.
 *   The request's messages are decoded here first, with the same decoder, and one that does
 *   not decode fails with INVALID_ARGUMENT, formatted by connect-es for the protocol in use.
 *   Bodies over the size limit and unknown encodings are left to connect-es, which names its
 *   limit or the encodings it supports.
 * - connect-es waits for the request body without a deadline: a client that sends half a
 *   message and stalls would hold its call open for good. For unary and server-streaming
 *   calls (one request message) the body must arrive within the call's deadline
 *   (`grpc-timeout`, `connect-timeout-ms`) or DEFAULT_DEADLINE, or the call fails with
 *   DEADLINE_EXCEEDED.
 */
export function guardRequestBodies(router: ConnectRouter, limits: RequestBodyLimits): void {
  const guarded = router.handlers.map((handler) => guard(handler, limits));
  router.handlers.splice(0, router.handlers.length, ...guarded);
}

function guard(handler: UniversalHandler, limits: RequestBodyLimits): UniversalHandler {
  const input = handler.method.input;
  const oneMessage =
    handler.method.methodKind === "unary" || handler.method.methodKind === "server_streaming";
  const check: Check = (bytes, encoding, decode) =>
    refuseUndecodable(input, bytes, encoding, limits.readMaxBytes, decode);
  const guarded = async (req: UniversalServerRequest): Promise<UniversalServerResponse> => {
    if (req.method === "GET") return (await refuseGet(req, check)) ?? handler(req);
    if (!isByteStream(req.body)) return handler(req);
    let body = req.body;
    if (oneMessage) body = arriving(body, deadlineOf(req.header) ?? limits.defaultDeadlineMs);
    const shape = shapeOf(req.header.get("content-type") ?? "");
    if (shape !== undefined && !shape.enveloped) {
      const encoding = req.header.get("content-encoding");
      body = checkWhole(body, limits.readMaxBytes, (b) =>
        check(b, encoding, shape.json ? "json" : "proto"),
      );
    } else if (shape !== undefined) {
      const encoding =
        req.header.get("grpc-encoding") ?? req.header.get("connect-content-encoding");
      body = checkEnvelopes(body, limits.readMaxBytes, encoding, shape, check);
    }
    return handler({ ...req, body });
  };
  return Object.assign(guarded, handler);
}

/** Decompresses (when encoded) and decodes `bytes` as `desc`; INVALID_ARGUMENT when it fails. */
async function refuseUndecodable(
  desc: DescMessage,
  bytes: Uint8Array,
  encoding: string | null,
  readMaxBytes: number,
  decode: Decode,
): Promise<void> {
  let plain = bytes;
  if (encoding !== null && encoding !== "identity" && bytes.byteLength > 0) {
    const decompress = DECOMPRESS[encoding];
    if (decompress === undefined) return;
    try {
      plain = await decompress(bytes, { maxOutputLength: readMaxBytes });
    } catch (err) {
      if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") return;
      throw new ConnectError(`the request is not valid ${encoding} data`, Code.InvalidArgument);
    }
  }
  if (decode === "none") return;
  if (decode === "json") {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(plain));
    } catch {
      return; // connect-es refuses JSON that does not parse, with INVALID_ARGUMENT.
    }
    refuseUnknownJson(desc, json);
    return;
  }
  try {
    fromBinary(desc, plain);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ConnectError(`the request is not a ${desc.typeName}: ${why}`, Code.InvalidArgument);
  }
}

/** Passes a unary body through, and fails at its end when the whole of it does not decode. */
async function* checkWhole(
  body: AsyncIterable<Uint8Array>,
  readMaxBytes: number,
  check: (bytes: Uint8Array) => Promise<void>,
): AsyncIterable<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size <= readMaxBytes) chunks.push(chunk);
    yield chunk;
  }
  if (size <= readMaxBytes) await check(Buffer.concat(chunks, size));
}

/**
 * Passes an enveloped body through, checking each complete envelope as connect-es will read it
 * (decompressed when flagged; decoded unless JSON or carrying the protocol's end flag) before
 * the chunk that completes it is handed on, so connect-es never decodes one that fails here.
 */
async function* checkEnvelopes(
  body: AsyncIterable<Uint8Array>,
  readMaxBytes: number,
  encoding: string | null,
  shape: BodyShape,
  check: Check,
): AsyncIterable<Uint8Array> {
  let pending = Buffer.alloc(0);
  let checking = true;
  for await (const chunk of body) {
    if (checking) {
      pending = Buffer.concat([pending, chunk]);
      while (pending.byteLength >= 5) {
        const flags = pending.readUInt8(0);
        const length = pending.readUInt32BE(1);
        if (length > readMaxBytes) {
          checking = false;
          break;
        }
        if (pending.byteLength < 5 + length) break;
        const payload = pending.subarray(5, 5 + length);
        const compressed = (flags & COMPRESSED) === COMPRESSED;
        if (compressed && (encoding === null || encoding === "identity")) {
          throw new ConnectError(
            "a message is flagged as compressed but the request names no encoding",
            Code.InvalidArgument,
          );
        }
        const end = shape.endFlag !== undefined && (flags & shape.endFlag) === shape.endFlag;
        const decode = end ? "none" : shape.json ? "json" : "proto";
        await check(payload, compressed ? encoding : null, decode);
        pending = pending.subarray(5 + length);
      }
    }
    yield chunk;
  }
}

/** Passes a body through, failing with DEADLINE_EXCEEDED if it has not ended within `ms`. */
async function* arriving(body: AsyncIterable<Uint8Array>, ms: number): AsyncIterable<Uint8Array> {
  const it = body[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ConnectError(
            `the request did not arrive within its deadline of ${Math.round(ms)} ms`,
            Code.DeadlineExceeded,
          ),
        ),
      ms,
    );
  });
  late.catch(() => {});
  try {
    for (;;) {
      const next = await Promise.race([it.next(), late]);
      if (next.done === true) return;
      yield next.value;
    }
  } finally {
    clearTimeout(timer);
  }
}

/** The deadline the caller sent, in milliseconds; undefined when none (or malformed). */
function deadlineOf(header: Headers): number | undefined {
  const grpc = GRPC_TIMEOUT.exec(header.get("grpc-timeout") ?? "");
  if (grpc !== null) return Number(grpc[1]) * (GRPC_UNIT_MS[grpc[2] ?? ""] ?? 1);
  const connect = header.get("connect-timeout-ms");
  return connect !== null && /^\d{1,10}$/.test(connect) ? Number(connect) : undefined;
}

/** A Connect GET's message (in the query) that does not decode is answered here. */
async function refuseGet(
  req: UniversalServerRequest,
  check: Check,
): Promise<UniversalServerResponse | undefined> {
  const query = new URL(req.url).searchParams;
  const encoding = query.get("encoding");
  const compression = query.get("compression");
  if (encoding !== "proto" && encoding !== "json" && compression === null) return undefined;
  const message = query.get("message") ?? "";
  try {
    let bytes: Uint8Array;
    try {
      bytes = query.get("base64") === "1" ? base64Decode(message) : Buffer.from(message);
    } catch {
      throw new ConnectError("the message query parameter is not base64", Code.InvalidArgument);
    }
    const decode = encoding === "proto" ? "proto" : encoding === "json" ? "json" : "none";
    await check(bytes, compression, decode);
    return undefined;
  } catch (err) {
    const error = ConnectError.from(err, Code.InvalidArgument);
    return {
      status: codeToHttpStatus(error.code),
      header: new Headers({ "content-type": "application/json" }),
      body: createAsyncIterable([errorToJsonBytes(error, {})]),
    };
  }
}

function isByteStream(body: unknown): body is AsyncIterable<Uint8Array> {
  return typeof body === "object" && body !== null && Symbol.asyncIterator in body;
}

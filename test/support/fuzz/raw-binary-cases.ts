import { gzipSync } from "node:zlib";
import type { DescMethod } from "@bufbuild/protobuf";
import { toBinary } from "@bufbuild/protobuf";
import type { Rng } from "../fuzz-rng.js";
import { build, plausibleInit } from "../hostile-values.js";
import { envelope, h2, http1 } from "../raw-rpc.js";
import { type CaseContext, rawCase, rawMessageCase, stalledCase } from "./case-runners.js";
import {
  CALL_TIMEOUT_MS,
  grpcDeadline,
  HANG_SLACK_MS,
  type Job,
  MAX_REQUEST_BYTES,
  METHODS,
  NOT_TRIGGER,
  pathOf,
} from "./fuzz-settings.js";

// The raw binary cases: protobuf bodies that are not messages and gRPC framing no client would
// send, over a prior-knowledge h2c session and plain HTTP/1.1.

const MALFORMED_PROTO: readonly [string, number[]][] = [
  ["one 0xff byte", [0xff]],
  ["field number 0", [0x00, 0x01]],
  ["overlong varint", [0x08, ...Array<number>(11).fill(0xff)]],
  ["truncated varint", [0x08, 0x80]],
  ["length past the end", [0x0a, 0x64, 0x41]],
  ["huge length", [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]],
  ["invalid UTF-8 in field 1", [0x0a, 0x02, 0xc3, 0x28]],
  ["lone surrogate as UTF-8", [0x0a, 0x03, 0xed, 0xa0, 0x80]],
  ["varint where field 1 is a string", [0x08, 0x01]],
  ["fixed64 cut short", [0x09, 0x01, 0x02]],
  ["end group without start", [0x0c]],
  ["unclosed group", [0x0b, 0x08, 0x01]],
  ["wire type 7", [0x0f, 0x00]],
  ["unknown field 536870911", [0xf8, 0xff, 0xff, 0xff, 0x0f, 0x01]],
];

let bomb: Buffer | undefined;
/** 64 MiB of zeros, gzipped (about 64 kB), made once. */
export function gzipBomb(): Buffer {
  bomb ??= gzipSync(Buffer.alloc(64 * 1024 * 1024));
  return bomb;
}

/** Bodies that are not messages (or not of this kind), over gRPC or Connect. */
export function garbageBodyCases(ctx: CaseContext, rng: Rng): Job[] {
  const jobs: Job[] = [];
  for (const method of METHODS) {
    for (const [label, bytes] of MALFORMED_PROTO.filter(() => rng.chance(0.45))) {
      jobs.push(rawMessageCase(ctx, "garbage bodies", method, label, Uint8Array.from(bytes), rng));
    }
    for (let i = 0; i < 2; i++) {
      const bytes = rng.bytes(1 + rng.int(300));
      jobs.push(
        rawMessageCase(ctx, "garbage bodies", method, `${bytes.length} random bytes`, bytes, rng),
      );
    }
  }
  return jobs;
}

/** Broken gRPC framing and headers, each on a few methods. */
export function grpcFramingCases(ctx: CaseContext, rng: Rng): Job[] {
  const valid = (m: DescMethod) => toBinary(m.input, build(m.input, plausibleInit(m.input)));
  const base = { "content-type": "application/grpc", te: "trailers" };
  const cases: [string, (m: DescMethod) => { headers?: Record<string, string>; body: Buffer }][] = [
    ["length prefix past the end", (m) => ({ body: envelope(valid(m), 0, 1000) })],
    ["length prefix 0xffffffff", () => ({ body: envelope(new Uint8Array(3), 0, 0xffffffff) })],
    ["three bytes of a prefix", () => ({ body: Buffer.from([0, 0, 0]) })],
    ["truncated frame", (m) => ({ body: envelope(valid(m)).subarray(0, 6) })],
    ["empty body", () => ({ body: Buffer.alloc(0) })],
    ["compressed flag, no grpc-encoding", (m) => ({ body: envelope(valid(m), 1) })],
    ["trailer flag 0x80", (m) => ({ body: envelope(valid(m), 0x80) })],
    ["flags 0xff", (m) => ({ body: envelope(valid(m), 0xff) })],
    ["two messages", (m) => ({ body: Buffer.concat([envelope(valid(m)), envelope(valid(m))]) })],
    [
      "gzip flag with junk",
      () => ({ headers: { "grpc-encoding": "gzip" }, body: envelope(rng.bytes(40), 1) }),
    ],
    [
      "gzip of a message that is not protobuf",
      () => ({
        headers: { "grpc-encoding": "gzip" },
        body: envelope(gzipSync(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])), 1),
      }),
    ],
    [
      "truncated gzip",
      () => ({
        headers: { "grpc-encoding": "gzip" },
        body: envelope(gzipSync(Buffer.alloc(1000, 0x41)).subarray(0, 20), 1),
      }),
    ],
    [
      "gzip bomb (64 MiB of zeros)",
      () => ({
        headers: { "grpc-encoding": "gzip" },
        body: envelope(gzipBomb(), 1),
      }),
    ],
    [
      "unknown grpc-encoding",
      (m) => ({ headers: { "grpc-encoding": "snappy" }, body: envelope(valid(m), 1) }),
    ],
    ["grpc-timeout abc", (m) => ({ headers: { "grpc-timeout": "abc" }, body: envelope(valid(m)) })],
    [
      "grpc-timeout 9 digits",
      (m) => ({ headers: { "grpc-timeout": "999999999S" }, body: envelope(valid(m)) }),
    ],
    ["grpc-timeout -1S", (m) => ({ headers: { "grpc-timeout": "-1S" }, body: envelope(valid(m)) })],
    [
      "content-type application/grpc+xml",
      (m) => ({ headers: { "content-type": "application/grpc+xml" }, body: envelope(valid(m)) }),
    ],
    [
      "grpc+json, truncated gzip",
      () => ({
        headers: { "content-type": "application/grpc+json", "grpc-encoding": "gzip" },
        body: envelope(gzipSync(Buffer.from("{}")).subarray(0, 12), 1),
      }),
    ],
    [
      "grpc+json, compressed flag, no grpc-encoding",
      () => ({
        headers: { "content-type": "application/grpc+json" },
        body: envelope(Buffer.from("{}"), 1),
      }),
    ],
    [
      "grpc+json with junk",
      () => ({
        headers: { "content-type": "application/grpc+json" },
        body: envelope(Buffer.from("{not json")),
      }),
    ],
    [
      "grpc+json with wrong types",
      () => ({
        headers: { "content-type": "application/grpc+json" },
        body: envelope(Buffer.from('{"customerId": 5, "readOptions": []}')),
      }),
    ],
    [
      "over MAX_REQUEST_BYTES",
      () => ({ body: envelope(Buffer.alloc(MAX_REQUEST_BYTES + 1024, 0x41)) }),
    ],
    [
      "hostile x-request-id",
      (m) => ({
        headers: { "x-request-id": `'; DROP TABLE customers; --${"x".repeat(8000)}` },
        body: envelope(valid(m)),
      }),
    ],
  ];
  const jobs: Job[] = [];
  for (const [label, make] of cases) {
    for (let i = 0; i < 4; i++) {
      const method = rng.pick(NOT_TRIGGER);
      const { headers = {}, body } = make(method);
      jobs.push(
        rawCase(ctx, "gRPC framing", `gRPC ${pathOf(method)} ${label}`, "grpc", () =>
          h2(ctx.target.session, {
            path: pathOf(method),
            headers: { ...base, ...grpcDeadline(method), ...headers },
            body,
            timeoutMs: CALL_TIMEOUT_MS + HANG_SLACK_MS,
          }),
        ),
      );
    }
  }
  // A client that sends half a request and stalls, with a short deadline of its own: the
  // server must give up at the deadline (DEADLINE_EXCEEDED is the right answer here).
  const unary = NOT_TRIGGER.filter((m) => m.methodKind === "unary");
  for (let i = 0; i < 3; i++) {
    const method = rng.pick(unary);
    jobs.push(
      stalledCase(ctx, `gRPC ${pathOf(method)} half a frame, grpc-timeout 300m`, 300, "grpc", () =>
        h2(ctx.target.session, {
          path: pathOf(method),
          headers: { ...base, "grpc-timeout": "300m" },
          body: envelope(new Uint8Array(10), 0, 100).subarray(0, 8),
          stall: true,
          timeoutMs: CALL_TIMEOUT_MS,
        }),
      ),
    );
    const other = rng.pick(unary);
    jobs.push(
      stalledCase(
        ctx,
        `Connect ${pathOf(other)} half a body, connect-timeout-ms 300`,
        300,
        "connect",
        () =>
          http1(ctx.target.baseUrl, {
            path: pathOf(other),
            headers: {
              "content-type": "application/json",
              "content-length": "100",
              "connect-timeout-ms": "300",
            },
            body: '{"customerId":',
            stall: true,
            timeoutMs: CALL_TIMEOUT_MS,
          }),
      ),
    );
  }
  return jobs;
}

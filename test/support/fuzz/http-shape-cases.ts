import { gzipSync } from "node:zlib";
import { type DescMethod, toJsonString } from "@bufbuild/protobuf";
import type { Rng } from "../fuzz-rng.js";
import { build, plausibleInit } from "../hostile-values.js";
import { http1 } from "../raw-rpc.js";
import { type CaseContext, rawCase } from "./case-runners.js";
import {
  CALL_TIMEOUT_MS,
  HANG_SLACK_MS,
  type Job,
  MAX_REQUEST_BYTES,
  NOT_TRIGGER,
  pathOf,
} from "./fuzz-settings.js";
import { gzipBomb } from "./raw-binary-cases.js";

/** Wrong content types, HTTP methods, headers and sizes on the Connect (HTTP/1.1) side. */
export function httpShapeCases(ctx: CaseContext, rng: Rng): Job[] {
  const jobs: Job[] = [];
  const shapes: [string, (m: DescMethod) => Parameters<typeof http1>[1]][] = [];
  const timeoutMs = CALL_TIMEOUT_MS + HANG_SLACK_MS;
  const json = (m: DescMethod) => toJsonString(m.input, build(m.input, plausibleInit(m.input)));
  for (const contentType of [
    "text/plain",
    "application/xml",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/json; charset=latin1",
    "application/connect+json",
    "application/grpc",
    "application/grpc-web+json",
    "application/json, application/proto",
    "",
  ]) {
    shapes.push([
      `content-type ${JSON.stringify(contentType)}`,
      (m) => ({
        path: pathOf(m),
        headers: { "content-type": contentType },
        body: json(m),
        timeoutMs,
      }),
    ]);
  }
  for (const method of ["PUT", "DELETE", "PATCH", "GET", "OPTIONS"]) {
    shapes.push([
      `HTTP ${method}`,
      (m) => ({
        method,
        path: pathOf(m),
        headers: { "content-type": "application/json" },
        timeoutMs,
      }),
    ]);
  }
  for (const query of [
    "?encoding=json&message=garbage&connect=v1",
    "?encoding=proto&base64=1&message=!!!&connect=v1",
    "?encoding=xml&message=%7B%7D&connect=v1",
    "?encoding=json&message=%7B%22customerId%22%3A5%7D&connect=v1",
    "?encoding=json&connect=v1&compression=gzip&message=x",
    "?encoding=proto&base64=1&message=_w&connect=v1",
    "?encoding=proto&base64=1&message=CgLDKA&connect=v1",
    `?encoding=proto&base64=1&compression=gzip&message=${gzipSync(Buffer.from([0xff, 0xff])).toString("base64url")}&connect=v1`,
    "?encoding=proto&message=%FF%FF&connect=v1",
  ]) {
    shapes.push([
      `GET ${query}`,
      (m) => ({ method: "GET", path: `${pathOf(m)}${query}`, timeoutMs }),
    ]);
  }
  const headerShapes: [string, Record<string, string>][] = [
    ["connect-timeout-ms -1", { "connect-timeout-ms": "-1" }],
    ["connect-timeout-ms abc", { "connect-timeout-ms": "abc" }],
    ["connect-timeout-ms 20 digits", { "connect-timeout-ms": "99999999999999999999" }],
    ["connect-protocol-version 2", { "connect-protocol-version": "2" }],
    ["content-encoding zstd", { "content-encoding": "zstd" }],
    ["content-encoding gzip on plain JSON", { "content-encoding": "gzip" }],
    ["x-request-id of 8 kB", { "x-request-id": "r".repeat(8_000) }],
    ["x-request-id injection", { "x-request-id": "'; DROP TABLE customers; --" }],
    ["accept-encoding junk", { "accept-encoding": "gzip;q=abc, *;q=-1, br" }],
  ];
  for (const [label, headers] of headerShapes) {
    shapes.push([
      label,
      (m) => ({
        path: pathOf(m),
        headers: { "content-type": "application/json", ...headers },
        body: json(m),
        timeoutMs,
      }),
    ]);
  }
  shapes.push(
    [
      "JSON body over MAX_REQUEST_BYTES",
      (m) => ({
        path: pathOf(m),
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ customerId: "x".repeat(MAX_REQUEST_BYTES + 10) }),
        timeoutMs,
      }),
    ],
    [
      "proto body over MAX_REQUEST_BYTES",
      (m) => ({
        path: pathOf(m),
        headers: { "content-type": "application/proto" },
        body: new Uint8Array(MAX_REQUEST_BYTES + 10),
        timeoutMs,
      }),
    ],
    [
      "gzip bomb (64 MiB of zeros)",
      (m) => ({
        path: pathOf(m),
        headers: { "content-type": "application/proto", "content-encoding": "gzip" },
        body: gzipBomb(),
        timeoutMs,
      }),
    ],
    [
      "gzip of a body that is not protobuf",
      (m) => ({
        path: pathOf(m),
        headers: { "content-type": "application/proto", "content-encoding": "gzip" },
        body: gzipSync(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])),
        timeoutMs,
      }),
    ],
    [
      "truncated gzip",
      (m) => ({
        path: pathOf(m),
        headers: { "content-type": "application/proto", "content-encoding": "gzip" },
        body: gzipSync(Buffer.alloc(1000, 0x41)).subarray(0, 20),
        timeoutMs,
      }),
    ],
    [
      "JSON, truncated gzip",
      (m) => ({
        path: pathOf(m),
        headers: { "content-type": "application/json", "content-encoding": "gzip" },
        body: gzipSync(Buffer.from(json(m))).subarray(0, 12),
        timeoutMs,
      }),
    ],
    [
      "gzip of junk",
      (m) => ({
        path: pathOf(m),
        headers: { "content-type": "application/proto", "content-encoding": "gzip" },
        body: rng.bytes(64),
        timeoutMs,
      }),
    ],
  );
  const unary = NOT_TRIGGER.filter((m) => m.methodKind === "unary");
  for (const [label, make] of shapes) {
    for (let i = 0; i < 3; i++) {
      const method = rng.pick(unary);
      jobs.push(
        rawCase(
          ctx,
          "content types, methods, headers, sizes",
          `Connect ${pathOf(method)} ${label}`,
          "connect",
          () => http1(ctx.target.baseUrl, make(method)),
        ),
      );
    }
  }
  // Paths that are not RPCs.
  for (const path of [
    "/customeranalytics.v1.CustomerService/NoSuchMethod",
    "/customeranalytics.v1.NoSuchService/GetCustomer",
    "/customeranalytics.v1.CustomerService/GetCustomer/extra",
    `/${"a".repeat(4_000)}`,
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
  ]) {
    jobs.push(
      rawCase(
        ctx,
        "content types, methods, headers, sizes",
        `POST ${path.slice(0, 80)}`,
        "connect",
        () =>
          http1(ctx.target.baseUrl, {
            path,
            headers: { "content-type": "application/json" },
            body: "{}",
            timeoutMs,
          }),
      ),
    );
  }
  return jobs;
}

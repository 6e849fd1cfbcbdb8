import { Code } from "@connectrpc/connect";
import { Health } from "../../../gen/grpc/health/v1/health_pb.js";
import { newKey, type TestKey } from "../auth-fixtures.js";
import type { Rng } from "../fuzz-rng.js";
import { describeValue, randomInit } from "../hostile-values.js";
import { http1 } from "../raw-rpc.js";
import { type CaseContext, rawCase, stalledCase, typedCase } from "./case-runners.js";
import type { Outcome } from "./fuzz-protocols.js";
import { CALL_TIMEOUT_MS, HANG_SLACK_MS, type Job, METHODS, pathOf } from "./fuzz-settings.js";

// The credential cases, against a service with API_KEYS_FILE: every API RPC with missing and
// bad credentials (UNAUTHENTICATED, never naming a key), with a valid reader key (served or
// refused, never INTERNAL; admin RPCs refuse it), stalled bodies without a deadline, raw junk.

/** Credentials that must not get in, by label. */
export function badCredentials(reader: TestKey): [string, Record<string, string>][] {
  return [
    ["no credential", {}],
    ["an unknown key", { authorization: `Bearer ${newKey("x", "admin").key}` }],
    ["the reader key plus one char", { authorization: `Bearer ${reader.key}x` }],
    ["the reader key minus one char", { authorization: `Bearer ${reader.key.slice(0, -1)}` }],
    ["the key without a scheme", { authorization: reader.key }],
    ["Basic", { authorization: `Basic ${Buffer.from(`a:${reader.key}`).toString("base64")}` }],
    ["an empty bearer", { authorization: "Bearer " }],
    ["a 8 kB bearer", { authorization: `Bearer ${"k".repeat(8_000)}` }],
    ["an unsigned JWT", { authorization: "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0." }],
    ["a JWT of junk", { authorization: "Bearer a.b.c" }],
    ["SQL in the bearer", { authorization: "Bearer ' OR 1=1 --" }],
    ["two bearers", { authorization: `Bearer x, Bearer ${"y".repeat(43)}` }],
  ];
}

const codeName = (o: Outcome) => (o.code === undefined ? "OK" : Code[o.code]);

/** Every credential case against the keyed target of `ctx`. */
export function credentialCases(
  ctx: CaseContext,
  rng: Rng,
  reader: TestKey,
  admin: TestKey,
): Job[] {
  const secrets = [reader.key, admin.key];
  const bad = badCredentials(reader);
  const api = METHODS.filter((m) => m.parent.typeName !== Health.typeName);
  const jobs: Job[] = [];
  // A body the server cannot decode (a lone surrogate in gRPC JSON) is refused before any
  // interceptor runs, so before the key is looked at: INVALID_ARGUMENT is right there.
  const undecodable = (o: Outcome) =>
    o.code === Code.InvalidArgument && /^cannot decode|^the request is not/.test(o.message);
  const noSecret = (o: Outcome) =>
    secrets.some((s) => o.message.includes(s)) ? "the message names a key" : undefined;
  for (const method of api) {
    for (const [label, headers] of bad) {
      const init = randomInit(method.input, rng);
      if (method.name === "TriggerSync") init.force = false;
      const what = `with ${label}: ${describeValue(init).slice(0, 200)}`;
      jobs.push(
        typedCase(ctx, "missing or bad credentials", method, init, rng, what, {
          headers,
          expect: (o) =>
            o.code === Code.Unauthenticated || undecodable(o)
              ? noSecret(o)
              : `${codeName(o)} instead of UNAUTHENTICATED`,
        }),
      );
    }
    // A valid reader key with hostile requests: served or refused, never INTERNAL; admin
    // RPCs refuse it.
    for (let i = 0; i < 3; i++) {
      const init = randomInit(method.input, rng);
      if (method.name === "TriggerSync") init.force = false;
      const admins = method.name === "TriggerSync";
      const what = `reader key: ${describeValue(init).slice(0, 200)}`;
      jobs.push(
        typedCase(ctx, "reader key", method, init, rng, what, {
          headers: { authorization: `Bearer ${reader.key}` },
          expect: (o) =>
            admins && o.code !== Code.PermissionDenied
              ? `${codeName(o)} instead of PERMISSION_DENIED`
              : (noSecret(o) ?? (o.code === Code.Unauthenticated ? "reader refused" : undefined)),
        }),
      );
    }
  }
  // A stalled body without a deadline, and without a key: cut at DEFAULT_DEADLINE.
  for (const method of api.filter((m) => m.methodKind === "unary").slice(0, 3)) {
    jobs.push(
      stalledCase(ctx, `Connect ${pathOf(method)} half a body, no deadline`, 1_000, "connect", () =>
        http1(ctx.target.baseUrl, {
          path: pathOf(method),
          headers: { "content-type": "application/json", "content-length": "100" },
          body: "{",
          stall: true,
          timeoutMs: CALL_TIMEOUT_MS,
        }),
      ),
    );
  }
  // Raw garbage without a key: refused or rejected, never INTERNAL.
  for (const method of api) {
    const bytes = rng.bytes(1 + rng.int(64));
    jobs.push(
      rawCase(
        ctx,
        "missing or bad credentials",
        `raw ${pathOf(method)} junk, no key`,
        "connect",
        () =>
          http1(ctx.target.baseUrl, {
            path: pathOf(method),
            headers: { "content-type": "application/proto" },
            body: bytes,
            timeoutMs: CALL_TIMEOUT_MS + HANG_SLACK_MS,
          }),
      ),
    );
  }
  return jobs;
}

/** /metrics with each bad credential: 401 every time. */
export async function metricsRefusals(ctx: CaseContext, reader: TestKey): Promise<void> {
  for (const [label, headers] of badCredentials(reader)) {
    const res = await fetch(`${ctx.target.baseUrl}/metrics`, { headers });
    ctx.tally.count("missing or bad credentials");
    if (res.status !== 401) {
      ctx.tally.fail("missing or bad credentials", `/metrics ${label}`, `HTTP ${res.status}`);
    }
  }
}

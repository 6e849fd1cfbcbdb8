import { type DescMethod, toJsonString } from "@bufbuild/protobuf";
import type { Rng } from "../fuzz-rng.js";
import { build, plausibleInit } from "../hostile-values.js";
import { envelope, http1 } from "../raw-rpc.js";
import { type CaseContext, isForcedSync, rawCase } from "./case-runners.js";
import {
  CALL_TIMEOUT_MS,
  connectDeadline,
  HANG_SLACK_MS,
  type Job,
  METHODS,
  pathOf,
} from "./fuzz-settings.js";

/** JSON of the wrong shape for each field of each request, and bodies that are not JSON. */
export function wrongJsonCases(ctx: CaseContext, rng: Rng): Job[] {
  const wrong: Record<string, readonly unknown[]> = {
    scalar: [5, true, [], {}, ["a"], 1.5, "1e400", -1, "abc", 2 ** 64, null],
    enum: ["NOT_A_VALUE", 1.5, {}, [], true, "", null],
    message: [[], "x", 5, true, [{}], { nope: 1 }, null],
    list: ["x", {}, [null], [[1]], [{}], 5, null],
    map: ["x", [], 5],
  };
  const jobs: Job[] = [];
  const post = (method: DescMethod, label: string, body: string | Uint8Array, headers = {}) => {
    const unary = method.methodKind === "unary";
    const payload = unary ? body : envelope(Buffer.from(body));
    return rawCase(
      ctx,
      "JSON of wrong types",
      `Connect ${pathOf(method)} ${label}`,
      unary ? "connect" : "connect-stream",
      () =>
        http1(ctx.target.baseUrl, {
          path: pathOf(method),
          headers: {
            "content-type": unary ? "application/json" : "application/connect+json",
            ...connectDeadline(method),
            ...headers,
          },
          body: payload,
          timeoutMs: CALL_TIMEOUT_MS + HANG_SLACK_MS,
        }),
    );
  };
  for (const method of METHODS) {
    const base = toJsonString(method.input, build(method.input, plausibleInit(method.input)));
    for (const field of method.input.fields) {
      const values = wrong[field.fieldKind] ?? [];
      for (const value of values.filter(() => rng.chance(0.3))) {
        if (isForcedSync(method, field.name, value)) continue;
        const body = JSON.stringify({ ...JSON.parse(base), [field.jsonName]: value });
        jobs.push(post(method, `${field.jsonName} = ${JSON.stringify(value)}`, body));
      }
    }
  }
  const bodies: [string, string | Uint8Array][] = [
    ["not JSON", "not json"],
    ["an open brace", "{"],
    ["an array", "[]"],
    ["an array of objects", '[{"customerId":"C001"}]'],
    ["null", "null"],
    ["a number", "5"],
    ["a string", '"C001"'],
    ["__proto__", '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'],
    ["duplicate keys", '{"customerId":"C001","customerId":5}'],
    ["100k nested arrays", "[".repeat(100_000)],
    ["deep objects", '{"readOptions":'.repeat(5_000)],
    ["a BOM", "\uFEFF{}"],
    ["invalid UTF-8", Uint8Array.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d])],
    ["UTF-16", Buffer.from('{"customerId":"C001"}', "utf16le")],
    ["a JSON lone surrogate", '{"customerId":"\\ud800","table":"\\udfff"}'],
    ["a NUL escape", '{"customerId":"C\\u0000","table":"customers\\u0000"}'],
  ];
  for (const [label, body] of bodies) {
    for (let i = 0; i < 3; i++) jobs.push(post(rng.pick(METHODS), label, body));
  }
  return jobs;
}

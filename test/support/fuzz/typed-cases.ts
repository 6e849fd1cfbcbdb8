import type { DescMethod } from "@bufbuild/protobuf";
import { encodePageToken } from "../../../src/query/page-token.js";
import type { Rng } from "../fuzz-rng.js";
import {
  applyMutation,
  describeValue,
  randomInit,
  SHORT_HOSTILE_STRINGS,
  sweepMutations,
} from "../hostile-values.js";
import { type CaseContext, isForcedSync, typedCase } from "./case-runners.js";
import { type Job, METHODS } from "./fuzz-settings.js";

// The typed cases: requests a client library can encode, built reflectively from the
// descriptors and their protovalidate rules, so a new RPC or field is fuzzed without edits.

/** Every field of every request set to each hostile value in turn, plus the bare request. */
export function sweepCases(ctx: CaseContext, rng: Rng): Job[] {
  const jobs: Job[] = [];
  for (const method of METHODS) {
    for (const mutation of sweepMutations(method.input, rng)) {
      const path = mutation.path.map((f) => f.name).join(".");
      if (isForcedSync(method, path, mutation.value)) continue;
      const init = applyMutation(method.input, mutation);
      const what = `${path} = ${mutation.label}`;
      jobs.push(typedCase(ctx, `field sweep (${kindOf(mutation.path)})`, method, init, rng, what));
    }
    // The bare request and a plausible one.
    jobs.push(typedCase(ctx, "field sweep (empty)", method, {}, rng, "{}"));
  }
  return jobs;
}

function kindOf(path: readonly { fieldKind: string; name: string }[]): string {
  const last = path[path.length - 1];
  return last?.name === "page_token" ? "page token" : (last?.fieldKind ?? "?");
}

/** `n` requests with random combinations of hostile fields (TriggerSync never forced). */
export function randomCases(ctx: CaseContext, rng: Rng, n: number): Job[] {
  return Array.from({ length: n }, () => {
    const method = rng.pick(METHODS);
    const init = randomInit(method.input, rng);
    if (method.name === "TriggerSync") init.force = false;
    return typedCase(ctx, "random combinations", method, init, rng, describeValue(init));
  });
}

/** Tampered, truncated, forged and foreign page tokens on every listing that issued one. */
export function tokenCases(ctx: CaseContext, rng: Rng): Job[] {
  const jobs: Job[] = [];
  const all = [...ctx.target.tokens.entries()];
  for (const [name, { token, init }] of all) {
    const method = METHODS.find((m) => m.name === name) as DescMethod;
    const [body = "", mac = ""] = token.split(".");
    const parsed = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as {
      s: string;
      k: (string | null)[];
    };
    const n = parsed.k.length;
    const variants: [string, string][] = [["the real token", token]];
    for (let i = 0; i < 6; i++) {
      const at = rng.int(token.length);
      const c = token[at] === "A" ? "B" : "A";
      variants.push([`flipped at ${at}`, token.slice(0, at) + c + token.slice(at + 1)]);
    }
    for (let i = 0; i < 3; i++) {
      const at = rng.int(token.length);
      variants.push([`truncated to ${at}`, token.slice(0, at)]);
    }
    variants.push(
      ["token twice", `${token}${token}`],
      ["token and junk", `${token}.junk`],
      ["mac only", `.${mac}`],
      ["body only", `${body}.`],
      ["dots", "..."],
      ["padding", "===="],
      ["standard base64", Buffer.from(JSON.stringify(parsed)).toString("base64")],
    );
    for (let i = 0; i < 4; i++) {
      const junk = Buffer.from(rng.bytes(1 + rng.int(600))).toString("base64url");
      variants.push([`base64 junk (${junk.length})`, `${junk}.${junk.slice(0, 22)}`]);
    }
    const keyOf = (value: string | null) => Array.from({ length: n }, () => value);
    const forged: [string, (string | null)[], string][] = [
      ["no keys", [], parsed.s],
      ["one key too many", [...parsed.k, "x"], parsed.s],
      ["null keys", keyOf(null), parsed.s],
      ["empty keys", keyOf(""), parsed.s],
      ["another listing's scope", parsed.k, JSON.stringify(["Other", "x"])],
      ...SHORT_HOSTILE_STRINGS.filter(() => rng.chance(0.35)).map(
        (s): [string, (string | null)[], string] => [`keys ${s.label}`, keyOf(s.value), parsed.s],
      ),
    ];
    for (const [label, keys, scope] of forged) {
      variants.push([`sealed forgery: ${label}`, encodePageToken(scope, keys)]);
    }
    for (const [other, foreign] of all) {
      if (other !== name) variants.push([`a ${other} token`, foreign.token]);
    }
    const field = method.input.fields.find((f) => f.name === "page_token");
    for (const [label, value] of variants) {
      const request = { ...init, [field?.localName ?? "pageToken"]: value };
      jobs.push(typedCase(ctx, "page tokens", method, request, rng, `page_token = ${label}`));
    }
  }
  return jobs;
}

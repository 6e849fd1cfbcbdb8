import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { SyncService } from "../gen/customeranalytics/v1/sync_pb.js";
import { ConfigError, type JwtConfig, loadConfig } from "../src/config.js";
import { parseApiKeys } from "../src/server/auth/api-keys.js";
import { Authenticator } from "../src/server/auth/authenticator.js";
import { JwtVerifier } from "../src/server/auth/jwt-verify.js";
import {
  newSigner,
  nowSeconds,
  signJwt,
  type TestSigner,
  writeJwks,
} from "./support/auth-fixtures.js";
import { startTestService, type TestService } from "./support/test-service.js";

// JWTs (RS256, ES256) verified against a JWKS file with node:crypto alone: signature, exp and
// nbf with leeway, issuer, audience, role claim; and the API-keys file format's errors.

const ISSUER = "https://issuer.example";
const AUDIENCE = "customer-analytics";

let dir: string;
let rsa: TestSigner;
let ec: TestSigner;
let config: JwtConfig;
let verifier: JwtVerifier;

const claims = (extra: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  aud: AUDIENCE,
  sub: "svc-reports",
  role: "reader",
  exp: nowSeconds() + 300,
  ...extra,
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ca-jwt-"));
  rsa = newSigner("RS256", "rsa-1");
  ec = newSigner("ES256", "ec-1");
  config = {
    jwksFile: await writeJwks(dir, [rsa, ec]),
    issuer: ISSUER,
    audience: AUDIENCE,
    roleClaim: "role",
  };
  verifier = await JwtVerifier.load(config);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("JwtVerifier", () => {
  it("accepts RS256 and ES256 tokens and names the caller by sub", () => {
    expect(verifier.verify(signJwt(rsa, claims()))).toEqual({
      ok: true,
      principal: { name: "jwt:svc-reports", role: "reader", via: "jwt" },
    });
    const admin = verifier.verify(
      signJwt(ec, claims({ role: ["reader", "admin"], aud: ["x", AUDIENCE] })),
    );
    expect(admin).toMatchObject({ ok: true, principal: { role: "admin" } });
    const writer = verifier.verify(signJwt(ec, claims({ role: ["writer", "reader"] })));
    expect(writer).toMatchObject({ ok: true, principal: { role: "writer" } });
  });

  it("tolerates a small clock skew on exp and nbf", () => {
    const t = nowSeconds();
    expect(verifier.verify(signJwt(rsa, claims({ exp: t - 10, nbf: t + 10 }))).ok).toBe(true);
  });

  it.each<[string, () => string, string]>([
    [
      "a signature by another key",
      () => signJwt({ ...newSigner("RS256", "rsa-1") }, claims()),
      "signature does not verify",
    ],
    ["a tampered payload", () => tamper(signJwt(rsa, claims())), "signature does not verify"],
    ["an expired token", () => signJwt(rsa, claims({ exp: nowSeconds() - 120 })), "expired"],
    [
      "a token not valid yet",
      () => signJwt(rsa, claims({ nbf: nowSeconds() + 600 })),
      "not valid yet",
    ],
    ["no exp", () => signJwt(rsa, claims({ exp: undefined })), "no exp"],
    ["another issuer", () => signJwt(rsa, claims({ iss: "https://evil.example" })), "issuer"],
    ["another audience", () => signJwt(rsa, claims({ aud: "other-service" })), "audience"],
    ["no sub", () => signJwt(rsa, claims({ sub: "" })), "no sub"],
    ["an unknown role", () => signJwt(rsa, claims({ role: "root" })), "no known role"],
    ["an unknown kid", () => signJwt(rsa, claims(), { kid: "gone" }), "no key"],
    ["alg none", () => signJwt(rsa, claims(), { alg: "none" }), "algorithm"],
    ["HS256", () => signJwt(rsa, claims(), { alg: "HS256" }), "algorithm"],
    ["RS256 header on an EC key id", () => signJwt(rsa, claims(), { kid: "ec-1" }), "no key"],
    ["garbage", () => "a.b.c", "not a JWT"],
  ])("refuses %s", (_what, token, reason) => {
    const result = verifier.verify(token());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it("refuses a JWKS file that is unusable, and keeps the old keys on a failed reload", async () => {
    const bad = join(dir, "bad-jwks.json");
    const cases: [string, string][] = [
      ["{", "not valid JSON"],
      ['{"keys": []}', "holds no key"],
      ['{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}', "only RSA and EC P-256"],
      [JSON.stringify({ keys: [{ ...rsa.privateKey.export({ format: "jwk" }) }] }), "private key"],
      ['{"keys": [{"kty": "RSA", "n": "AQAB"}]}', "not a valid public JWK"],
    ];
    for (const [text, message] of cases) {
      await writeFile(bad, text);
      await expect(JwtVerifier.load({ ...config, jwksFile: bad })).rejects.toThrow(message);
    }
    await expect(
      JwtVerifier.load({ ...config, jwksFile: join(dir, "none.json") }),
    ).rejects.toBeInstanceOf(ConfigError);
    const copy = join(dir, "copy-jwks.json");
    await writeFile(copy, JSON.stringify({ keys: [rsa.jwk] }));
    const live = await JwtVerifier.load({ ...config, jwksFile: copy });
    await writeFile(copy, "{");
    await expect(live.reload()).rejects.toThrow("not valid JSON");
    expect(live.verify(signJwt(rsa, claims())).ok).toBe(true);
  });

  it("needs an issuer and an audience in the configuration", () => {
    expect(() => loadConfig({ JWT_JWKS_FILE: "/jwks.json" })).toThrow(
      "JWT_ISSUER and JWT_AUDIENCE",
    );
    const parsed = loadConfig({
      JWT_JWKS_FILE: "/j.json",
      JWT_ISSUER: "i",
      JWT_AUDIENCE: "a",
      JWT_ROLE_CLAIM: "roles",
    });
    expect(parsed.jwt).toEqual({
      jwksFile: "/j.json",
      issuer: "i",
      audience: "a",
      roleClaim: "roles",
    });
  });
});

describe("the API keys file", () => {
  const hash = "a".repeat(64);
  it.each<[string, string]>([
    ["{", "not valid JSON"],
    ['{"name": "x"}', "must be a JSON array"],
    ["[1]", "entry 0 is not an object"],
    [`[{"name": "has space", "role": "reader", "sha256": "${hash}"}]`, '"name" must be'],
    [
      `[{"name": "a", "role": "root", "sha256": "${hash}"}]`,
      '"role" must be reader, writer or admin',
    ],
    ['[{"name": "a", "role": "reader", "sha256": "plain-key"}]', '"sha256" must be 64 hex'],
    [
      `[{"name": "a", "role": "reader", "sha256": "${hash}"}, {"name": "a", "role": "admin", "sha256": "${"b".repeat(64)}"}]`,
      "appears twice",
    ],
    [
      `[{"name": "a", "role": "reader", "sha256": "${hash}"}, {"name": "b", "role": "admin", "sha256": "${hash.toUpperCase()}"}]`,
      "same key appears twice",
    ],
  ])("refuses %s", (text, message) => {
    expect(() => parseApiKeys(text, "keys.json")).toThrow(message);
  });

  it("names a missing file in a ConfigError that stops start-up", async () => {
    await expect(
      Authenticator.create(
        { apiKeysFile: join(dir, "none.json"), jwt: undefined },
        pino({ level: "silent" }),
      ),
    ).rejects.toThrow(/API_KEYS_FILE .*none\.json cannot be read \(ENOENT\)/);
  });

  it("warns loudly, once, when no credentials are configured", async () => {
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on("data", (chunk: Buffer) => lines.push(chunk.toString()));
    const auth = await Authenticator.create(
      { apiKeysFile: undefined, jwt: undefined },
      pino(stream),
    );
    expect(auth.enabled).toBe(false);
    expect(auth.check(undefined)).toEqual({ kind: "open" });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.filter((line) => line.includes("AUTHENTICATION IS OFF"))).toHaveLength(1);
  });
});

describe("a service that accepts JWTs", () => {
  let running: TestService;

  beforeAll(async () => {
    running = await startTestService({
      JWT_JWKS_FILE: config.jwksFile,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
    });
  });

  afterAll(async () => {
    await running?.close();
  });

  const call = async (token: string, admin = false) => {
    const transport = createGrpcTransport({ baseUrl: running.baseUrl });
    const headers = { authorization: `Bearer ${token}` };
    const run = admin
      ? createClient(SyncService, transport).triggerSync({}, { headers, timeoutMs: 5_000 })
      : createClient(CustomerService, transport).getCustomer(
          { customerId: "C002" },
          { headers, timeoutMs: 5_000 },
        );
    return run.then(
      () => "ok",
      (err: unknown) =>
        `${Code[ConnectError.from(err).code]}: ${ConnectError.from(err).rawMessage}`,
    );
  };

  it("accepts a valid token and refuses a bad one with the reason", async () => {
    expect(await call(signJwt(rsa, claims()))).toBe("ok");
    expect(await call(signJwt(rsa, claims({ exp: nowSeconds() - 600 })))).toBe(
      "Unauthenticated: the bearer token was refused: it has expired",
    );
    expect(await call(signJwt(ec, claims({ aud: "x" })))).toContain("Unauthenticated");
    expect(await call("not-a-token")).toBe(
      "Unauthenticated: the bearer credential is not a known API key or a JWT",
    );
  });

  it("gives TriggerSync to an admin token only", async () => {
    expect(await call(signJwt(ec, claims()), true)).toMatch(
      /^PermissionDenied: jwt:svc-reports has the reader role/,
    );
    expect(await call(signJwt(ec, claims({ role: "writer" })), true)).toMatch(
      /^PermissionDenied: jwt:svc-reports has the writer role; TriggerSync needs admin/,
    );
    expect(await call(signJwt(ec, claims({ role: "admin" })), true)).toBe("ok");
    await running.service.syncer.idle();
  });
});

/** Flips one character of the payload so the signature no longer covers it. */
function tamper(token: string): string {
  const [head, body, sig] = token.split(".") as [string, string, string];
  const claimsJson = JSON.parse(Buffer.from(body, "base64url").toString()) as Record<
    string,
    unknown
  >;
  claimsJson.role = "admin";
  return `${head}.${Buffer.from(JSON.stringify(claimsJson)).toString("base64url")}.${sig}`;
}

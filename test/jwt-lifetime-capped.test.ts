import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { loadConfig } from "../src/config.js";
import { JwtVerifier } from "../src/server/auth/jwt-verify.js";
import {
  newSigner,
  nowSeconds,
  signJwt,
  type TestSigner,
  writeJwks,
} from "./support/auth-fixtures.js";
import { startTestService, type TestService } from "./support/test-service.js";

// A signed token is refused when it would stay good for longer than JWT_MAX_LIFETIME, counted
// from its iat or, without one, from now: a leaked `exp: 1e300` token is worth nothing.

const ISSUER = "https://issuer.example";
const AUDIENCE = "customer-analytics";

let dir: string;
let signer: TestSigner;
let jwksFile: string;

const claims = (extra: Record<string, unknown>) => ({
  iss: ISSUER,
  aud: AUDIENCE,
  sub: "svc-reports",
  role: "reader",
  ...extra,
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ca-jwt-life-"));
  signer = newSigner("ES256", "ec-1");
  jwksFile = await writeJwks(dir, [signer]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the JWT lifetime cap", () => {
  it("defaults to 24 hours and is set by JWT_MAX_LIFETIME", async () => {
    const env = { JWT_JWKS_FILE: jwksFile, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE };
    const byDefault = await JwtVerifier.load(loadConfig(env).jwt ?? expect.fail("no jwt"));
    const now = nowSeconds();
    expect(byDefault.verify(signJwt(signer, claims({ iat: now, exp: now + 23 * 3600 }))).ok).toBe(
      true,
    );
    expect(byDefault.verify(signJwt(signer, claims({ iat: now, exp: now + 25 * 3600 })))).toEqual({
      ok: false,
      reason: "its lifetime is longer than the 86400 s allowed (JWT_MAX_LIFETIME)",
    });
    const hour = loadConfig({ ...env, JWT_MAX_LIFETIME: "1h" }).jwt;
    expect(hour?.maxLifetimeMs).toBe(3600_000);
  });

  describe("in a running service", () => {
    let running: TestService;

    beforeAll(async () => {
      running = await startTestService({
        JWT_JWKS_FILE: jwksFile,
        JWT_ISSUER: ISSUER,
        JWT_AUDIENCE: AUDIENCE,
        JWT_MAX_LIFETIME: "1h",
      });
    });

    afterAll(async () => {
      await running?.close();
    });

    const call = (token: string) =>
      createClient(CustomerService, createGrpcTransport({ baseUrl: running.baseUrl }))
        .getCustomer(
          { customerId: "C002" },
          { headers: { authorization: `Bearer ${token}` }, timeoutMs: 5_000 },
        )
        .then(
          () => "ok",
          (err: unknown) => {
            const e = ConnectError.from(err);
            return `${Code[e.code]}: ${e.rawMessage}`;
          },
        );
    const tooLong =
      "Unauthenticated: the bearer token was refused: its lifetime is longer than the 3600 s allowed (JWT_MAX_LIFETIME)";

    it("refuses exp: 1e300, with or without iat", async () => {
      expect(await call(signJwt(signer, claims({ exp: 1e300 })))).toBe(tooLong);
      expect(await call(signJwt(signer, claims({ iat: nowSeconds(), exp: 1e300 })))).toBe(tooLong);
    });

    it("counts from iat when the token has one, and from now when it has none", async () => {
      const now = nowSeconds();
      expect(await call(signJwt(signer, claims({ iat: now - 600, exp: now + 1800 })))).toBe("ok");
      expect(await call(signJwt(signer, claims({ iat: now - 3000, exp: now + 1800 })))).toBe(
        tooLong,
      );
      expect(await call(signJwt(signer, claims({ exp: now + 1800 })))).toBe("ok");
      expect(await call(signJwt(signer, claims({ exp: now + 2 * 3600 })))).toBe(tooLong);
    });

    it("refuses an iat that is not a number or lies in the future", async () => {
      const now = nowSeconds();
      expect(await call(signJwt(signer, claims({ iat: "yesterday", exp: now + 60 })))).toBe(
        "Unauthenticated: the bearer token was refused: its iat claim is not a number",
      );
      expect(await call(signJwt(signer, claims({ iat: now + 3600, exp: now + 3700 })))).toBe(
        "Unauthenticated: the bearer token was refused: it was issued in the future (iat)",
      );
    });
  });
});

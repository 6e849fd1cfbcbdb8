import { createPublicKey, type JsonWebKey, type KeyObject, verify } from "node:crypto";
import { ConfigError, type JwtConfig } from "../../config.js";
import { readKeyFile } from "./read-key-file.js";
import { type Principal, ROLES, type Role, roleOf } from "./roles.js";

/** Clock difference tolerated on `exp` and `nbf`, in seconds. */
export const JWT_LEEWAY_SECONDS = 30;

/** The longest token lifetime accepted when JWT_MAX_LIFETIME is not set: 24 hours. */
export const JWT_DEFAULT_MAX_LIFETIME_MS = 24 * 3600_000;

/** The outcome of checking one token: who it names, or why it was refused (no secret in it). */
export type JwtResult =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly reason: string };

interface VerifyKey {
  readonly kid: string | undefined;
  readonly alg: "RS256" | "ES256";
  readonly key: KeyObject;
}

type Claims = Record<string, unknown>;

/**
 * Verifies JWTs signed RS256 or ES256 against the public keys of a JWKS file, with node:crypto
 * alone: no JWT library, so the accepted algorithms are exactly these two (never `none`, never
 * HMAC with a public key as its secret). It checks the signature, `exp` (required) and `nbf`
 * with {@link JWT_LEEWAY_SECONDS} of leeway, a lifetime (`exp` minus `iat`, or minus now for a
 * token without `iat`) of at most JWT_MAX_LIFETIME, so a leaked token cannot be good for
 * decades (`exp: 1e300`), `iss`, `aud`, a `sub` to name the caller, and a role claim. The key set can be reloaded; a failed reload keeps the old one.
 */
export class JwtVerifier {
  #keys: readonly VerifyKey[];

  private constructor(
    private readonly config: JwtConfig,
    keys: readonly VerifyKey[],
    private readonly now: () => number,
  ) {
    this.#keys = keys;
  }

  /** Reads the JWKS file; throws {@link ConfigError} when it is missing or holds no usable key. */
  static async load(config: JwtConfig, now: () => number = Date.now): Promise<JwtVerifier> {
    return new JwtVerifier(config, await readKeys(config.jwksFile), now);
  }

  /** How many verification keys are loaded. */
  get size(): number {
    return this.#keys.length;
  }

  /** Re-reads the JWKS file; on any error throws and keeps the current keys. */
  async reload(): Promise<number> {
    this.#keys = await readKeys(this.config.jwksFile);
    return this.#keys.length;
  }

  /** Checks `token` completely; never throws. */
  verify(token: string): JwtResult {
    const parts = token.split(".");
    if (parts.length !== 3) return refuse("it is not a JWT");
    const [head, body, signature] = parts as [string, string, string];
    const header = decodeJson(head);
    const claims = decodeJson(body);
    if (header === undefined || claims === undefined) return refuse("it is not a JWT");
    const key = this.#keyFor(header);
    if (typeof key === "string") return refuse(key);
    const signed = Buffer.from(`${head}.${body}`, "ascii");
    const sig = Buffer.from(signature, "base64url");
    const good =
      key.alg === "ES256"
        ? verify("sha256", signed, { key: key.key, dsaEncoding: "ieee-p1363" }, sig)
        : verify("sha256", signed, key.key, sig);
    if (!good) return refuse("its signature does not verify");
    const problem = this.#claimProblem(claims);
    if (problem !== undefined) return refuse(problem);
    const role = roleFrom(claims[this.config.roleClaim]);
    if (role === undefined)
      return refuse(`its "${this.config.roleClaim}" claim names no known role`);
    return { ok: true, principal: { name: `jwt:${String(claims.sub)}`, role, via: "jwt" } };
  }

  #keyFor(header: Claims): VerifyKey | string {
    const alg = header.alg;
    if (alg !== "RS256" && alg !== "ES256") return "its algorithm is not RS256 or ES256";
    const kid = typeof header.kid === "string" ? header.kid : undefined;
    const candidates = this.#keys.filter(
      (k) => k.alg === alg && (kid === undefined || k.kid === kid),
    );
    if (candidates.length === 0) return "no key in the JWKS file matches its kid and algorithm";
    if (candidates.length > 1) return "it names no kid and the JWKS file has several keys for it";
    return candidates[0] as VerifyKey;
  }

  #claimProblem(claims: Claims): string | undefined {
    const now = this.now() / 1000;
    if (typeof claims.exp !== "number") return "it has no exp claim";
    if (now > claims.exp + JWT_LEEWAY_SECONDS) return "it has expired";
    const lifetime = this.#lifetimeProblem(claims.exp, claims.iat, now);
    if (lifetime !== undefined) return lifetime;
    if (claims.nbf !== undefined) {
      if (typeof claims.nbf !== "number") return "its nbf claim is not a number";
      if (now < claims.nbf - JWT_LEEWAY_SECONDS) return "it is not valid yet (nbf)";
    }
    if (claims.iss !== this.config.issuer) return "its issuer is not the one accepted";
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(this.config.audience)) return "its audience is not this service";
    if (typeof claims.sub !== "string" || claims.sub === "") return "it has no sub claim";
    return undefined;
  }

  #lifetimeProblem(exp: number, iat: unknown, now: number): string | undefined {
    if (iat !== undefined && (typeof iat !== "number" || !Number.isFinite(iat))) {
      return "its iat claim is not a number";
    }
    if (typeof iat === "number" && iat > now + JWT_LEEWAY_SECONDS)
      return "it was issued in the future (iat)";
    const maxSeconds = (this.config.maxLifetimeMs ?? JWT_DEFAULT_MAX_LIFETIME_MS) / 1000;
    const from = typeof iat === "number" ? iat : now;
    if (!Number.isFinite(exp) || exp - from > maxSeconds + JWT_LEEWAY_SECONDS) {
      return `its lifetime is longer than the ${maxSeconds} s allowed (JWT_MAX_LIFETIME)`;
    }
    return undefined;
  }
}

function refuse(reason: string): JwtResult {
  return { ok: false, reason };
}

function decodeJson(part: string): Claims | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Claims)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The highest known role in a claim that is a role name or a list of them. */
function roleFrom(claim: unknown): Role | undefined {
  const names = Array.isArray(claim) ? claim : [claim];
  const held = names.map(roleOf).filter((role): role is Role => role !== undefined);
  return held.sort((a, b) => ROLES.indexOf(b) - ROLES.indexOf(a))[0];
}

async function readKeys(file: string): Promise<VerifyKey[]> {
  const text = await readKeyFile("JWT_JWKS_FILE", file);
  let jwks: unknown;
  try {
    jwks = JSON.parse(text);
  } catch {
    throw new ConfigError(`JWT_JWKS_FILE ${file} is not valid JSON`);
  }
  const list = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new ConfigError(`JWT_JWKS_FILE ${file} must be {"keys": [...]}`);
  const keys = list.map((jwk: unknown, index) =>
    toVerifyKey(jwk, `JWT_JWKS_FILE ${file}, key ${index}`),
  );
  if (keys.length === 0) throw new ConfigError(`JWT_JWKS_FILE ${file} holds no key`);
  return keys;
}

function toVerifyKey(jwk: unknown, where: string): VerifyKey {
  if (typeof jwk !== "object" || jwk === null) throw new ConfigError(`${where} is not an object`);
  const { kty, crv, kid, alg, d } = jwk as Record<string, unknown>;
  if (d !== undefined) throw new ConfigError(`${where} is a private key; publish only public keys`);
  let keyAlg: VerifyKey["alg"];
  if (kty === "RSA") keyAlg = "RS256";
  else if (kty === "EC" && crv === "P-256") keyAlg = "ES256";
  else throw new ConfigError(`${where}: only RSA and EC P-256 keys are supported`);
  if (alg !== undefined && alg !== keyAlg) {
    throw new ConfigError(`${where}: alg ${String(alg)} is not supported with this key type`);
  }
  try {
    const key = createPublicKey({ key: jwk as JsonWebKey, format: "jwk" });
    return { kid: typeof kid === "string" ? kid : undefined, alg: keyAlg, key };
  } catch {
    throw new ConfigError(`${where} is not a valid public JWK`);
  }
}

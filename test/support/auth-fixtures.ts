import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  create,
  type DescMethod,
  type DescMethodStreaming,
  type DescMethodUnary,
} from "@bufbuild/protobuf";
import { ConnectError, type Transport } from "@connectrpc/connect";

/** An API key as a caller holds it, with the name and role the keys file gives it. */
export interface TestKey {
  readonly name: string;
  readonly role: "reader" | "writer" | "admin";
  readonly key: string;
}

/** A fresh random key, as an operator would make one (`openssl rand -hex 32`). */
export function newKey(name: string, role: TestKey["role"]): TestKey {
  return { name, role, key: randomBytes(32).toString("base64url") };
}

/** Writes an API_KEYS_FILE holding only the keys' SHA-256 hashes; returns its path. */
export async function writeKeysFile(dir: string, keys: readonly TestKey[]): Promise<string> {
  const path = join(dir, "api-keys.json");
  const entries = keys.map(({ name, role, key }) => ({
    name,
    role,
    sha256: createHash("sha256").update(key).digest("hex"),
  }));
  await writeFile(path, JSON.stringify(entries, null, 2));
  return path;
}

/** A signing key and the public JWK the service verifies with. */
export interface TestSigner {
  readonly alg: "RS256" | "ES256";
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly jwk: Record<string, unknown>;
}

/** A new RS256 or ES256 key pair with its public JWK. */
export function newSigner(alg: TestSigner["alg"], kid: string): TestSigner {
  const { privateKey, publicKey } =
    alg === "RS256"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 })
      : generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { alg, kid, privateKey, jwk: { ...publicKey.export({ format: "jwk" }), kid } };
}

/** Writes a JWKS file (`{"keys": [...]}`) with the signers' public keys; returns its path. */
export async function writeJwks(dir: string, signers: readonly TestSigner[]): Promise<string> {
  const path = join(dir, "jwks.json");
  await writeFile(path, JSON.stringify({ keys: signers.map((s) => s.jwk) }));
  return path;
}

/** Signs `claims` as a compact JWT; `header` overrides the header's fields. */
export function signJwt(
  signer: TestSigner,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const head = b64({ alg: signer.alg, typ: "JWT", kid: signer.kid, ...header });
  const body = b64(claims);
  const input = Buffer.from(`${head}.${body}`);
  const signature =
    signer.alg === "ES256"
      ? sign("sha256", input, { key: signer.privateKey, dsaEncoding: "ieee-p1363" })
      : sign("sha256", input, signer.privateKey);
  return `${head}.${body}.${signature.toString("base64url")}`;
}

/** Seconds since the epoch, as JWT claims count time. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Calls `method` with an empty request and `headers` through `transport`, reading a server
 * stream to its first message, and returns the error it failed with (undefined on success).
 * Unary and server-streaming methods alike, so a test can sweep every RPC of the API.
 */
export async function callWithEmptyRequest(
  transport: Transport,
  method: DescMethod,
  headers: Record<string, string>,
): Promise<ConnectError | undefined> {
  const controller = new AbortController();
  try {
    if (method.methodKind === "unary") {
      await transport.unary(
        method as DescMethodUnary,
        controller.signal,
        5_000,
        headers,
        create(method.input),
      );
    } else {
      const input = (async function* () {
        yield create(method.input);
      })();
      const res = await transport.stream(
        method as DescMethodStreaming,
        controller.signal,
        5_000,
        headers,
        input,
      );
      for await (const _ of res.message) break;
    }
    return undefined;
  } catch (err) {
    return ConnectError.from(err);
  } finally {
    controller.abort();
  }
}

import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Freshness } from "../gen/customeranalytics/v1/common_pb.js";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { SyncService } from "../gen/customeranalytics/v1/sync_pb.js";
import { type EmulatorHandle, startEmulator } from "./emulator/index.js";
import {
  newKey,
  newSigner,
  nowSeconds,
  signJwt,
  writeJwks,
  writeKeysFile,
} from "./support/auth-fixtures.js";
import { type ChildService, sleep, startChildService } from "./support/child-service.js";
import { BASIC_FIXTURE } from "./support/test-service.js";

// A full run of the service as its own process (`node dist/src/main.js`, LOG_LEVEL=trace)
// with an API key, a Snowflake password and a JWT in play: good and bad credentials over gRPC
// and Connect, an admin call, /metrics, live Snowflake queries, a SIGHUP key rotation and a
// failed one. Every byte the process wrote is then searched for the secrets: none may appear.

const PASSWORD = `sf-${randomBytes(12).toString("hex")}`;
const reader = newKey("dashboard", "reader");
const admin = newKey("ops", "admin");
const rotated = newKey("dashboard-2", "reader");
const wrong = newKey("intruder", "admin");

let dir: string;
let keysFile: string;
let emulator: EmulatorHandle;
let child: ChildService;
let token: string;
let expired: string;
let output = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ca-secrets-"));
  keysFile = await writeKeysFile(dir, [reader, admin]);
  const signer = newSigner("ES256", "k1");
  const claims = { iss: "https://issuer.example", aud: "ca", sub: "reports", role: "reader" };
  token = signJwt(signer, { ...claims, exp: nowSeconds() + 600 });
  expired = signJwt(signer, { ...claims, exp: nowSeconds() - 600 });
  emulator = await startEmulator({ port: 0, dataDir: BASIC_FIXTURE, password: PASSWORD });
  child = await startChildService({
    LOG_LEVEL: "trace",
    DATA_DIR: join(dir, "data"),
    SNOWFLAKE_ACCOUNT: "emulator",
    SNOWFLAKE_USER: "analytics",
    SNOWFLAKE_PASSWORD: PASSWORD,
    SNOWFLAKE_DATABASE: "ANALYTICS",
    SNOWFLAKE_SCHEMA: "PUBLIC",
    SNOWFLAKE_ACCESS_URL: emulator.url,
    API_KEYS_FILE: keysFile,
    JWT_JWKS_FILE: await writeJwks(dir, [signer]),
    JWT_ISSUER: claims.iss,
    JWT_AUDIENCE: claims.aud,
  });
});

afterAll(async () => {
  await child?.kill();
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Calls GetCustomer with `authorization`; "ok" or the status code's name. */
async function ask(transport: Transport, authorization: string, live = false): Promise<string> {
  const customers = createClient(CustomerService, transport);
  const readOptions = { freshness: live ? Freshness.LIVE_REQUIRED : Freshness.CACHED_ALLOWED };
  return customers
    .getCustomer(
      { customerId: "C002", readOptions },
      { headers: { authorization, "x-request-id": "trace-me-42" }, timeoutMs: 10_000 },
    )
    .then(
      () => "ok",
      (err: unknown) => Code[ConnectError.from(err).code] ?? "?",
    );
}

describe("a full run with secrets in play", () => {
  it("serves good credentials and refuses bad ones over gRPC and Connect", async () => {
    const transports = [
      createGrpcTransport({ baseUrl: child.baseUrl }),
      createConnectTransport({ baseUrl: child.baseUrl, httpVersion: "1.1" }),
    ];
    for (const transport of transports) {
      expect(await ask(transport, `Bearer ${reader.key}`)).toBe("ok");
      expect(await ask(transport, `Bearer ${reader.key}`, true)).toBe("ok");
      expect(await ask(transport, `Bearer ${token}`)).toBe("ok");
      expect(await ask(transport, `Bearer ${expired}`)).toBe("Unauthenticated");
      expect(await ask(transport, `Bearer ${wrong.key}`)).toBe("Unauthenticated");
      expect(await ask(transport, wrong.key)).toBe("Unauthenticated");
      const sync = createClient(SyncService, transport);
      const denied = await sync
        .triggerSync({}, { headers: { authorization: `Bearer ${reader.key}` } })
        .catch((err: unknown) => ConnectError.from(err));
      expect(denied).toBeInstanceOf(ConnectError);
      await sync.triggerSync(
        { force: true },
        { headers: { authorization: `Bearer ${admin.key}` } },
      );
    }
    const metrics = await fetch(`${child.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${admin.key}` },
    });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).not.toContain(PASSWORD);
  });

  it("rotates keys on SIGHUP, and keeps them when the new file is bad", async () => {
    const transport = createGrpcTransport({ baseUrl: child.baseUrl });
    await writeKeysFile(dir, [rotated, admin]);
    child.process.kill("SIGHUP");
    await until(async () => (await ask(transport, `Bearer ${rotated.key}`)) === "ok");
    expect(await ask(transport, `Bearer ${reader.key}`)).toBe("Unauthenticated");
    await writeFile(keysFile, `[{"name": "x", "role": "reader", "sha256": "${wrong.key}"}]`);
    child.process.kill("SIGHUP");
    await until(async () => child.output().includes("credentials reload failed"));
    expect(await ask(transport, `Bearer ${rotated.key}`)).toBe("ok");
    const stopped = await child.stop(15_000);
    expect(stopped.code).toBe(0);
    output = child.output();
  });

  it("wrote one JSON line per event, with request ids and caller names", () => {
    const lines = output.split("\n").filter((line) => line.trim() !== "");
    expect(lines.length).toBeGreaterThan(20);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const rpcs = records.filter((r) => r.msg === "rpc");
    expect(rpcs.some((r) => r.requestId === "trace-me-42" && r.principal === "dashboard")).toBe(
      true,
    );
    expect(rpcs.some((r) => r.principal === "jwt:reports")).toBe(true);
    expect(rpcs.some((r) => r.principal === "ops" && r.code === "ok")).toBe(true);
    expect(rpcs.some((r) => r.code === "permission_denied")).toBe(true);
    expect(records.some((r) => r.msg === "credentials reloaded")).toBe(true);
  });

  it("never wrote a secret", () => {
    const secrets: [string, string][] = [
      ["the Snowflake password", PASSWORD],
      ["the reader key", reader.key],
      ["the admin key", admin.key],
      ["the rotated key", rotated.key],
      ["the refused key", wrong.key],
      ["the JWT", token],
      ["the JWT's signature", token.split(".")[2] as string],
      ["the expired JWT", expired],
    ];
    expect(output).not.toBe("");
    for (const [what, secret] of secrets) {
      expect(output.includes(secret), what).toBe(false);
    }
  });
});

/** Polls `check` every 100 ms for up to 10 s. */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`condition not met within 10 s:\n${child.output().slice(-2000)}`);
}

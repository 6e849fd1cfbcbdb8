import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { SyncService } from "../gen/customeranalytics/v1/sync_pb.js";
import {
  Health,
  HealthCheckResponse_ServingStatus as Status,
} from "../gen/grpc/health/v1/health_pb.js";
import { ServerReflection } from "../gen/grpc/reflection/v1/reflection_pb.js";
import { adminProcedures, writerProcedures } from "../src/server/auth/roles.js";
import { SERVICES } from "../src/server/server.js";
import {
  callWithEmptyRequest,
  newKey,
  type TestKey,
  writeKeysFile,
} from "./support/auth-fixtures.js";
import { startTestService, type TestService } from "./support/test-service.js";

// With API_KEYS_FILE set, every RPC but health and reflection refuses a missing or wrong key
// (UNAUTHENTICATED) over gRPC and Connect, admin RPCs refuse a reader (PERMISSION_DENIED),
// /metrics wants a key, and a reload swaps the keys (or keeps them when the file is bad).

const reader = newKey("dashboard", "reader");
const admin = newKey("ops", "admin");
const writer = newKey("editor", "writer");
const wrong = newKey("nobody", "admin");

let dir: string;
let keysFile: string;
let running: TestService;
let transports: [string, Transport][];

const bearer = (key: TestKey) => ({ authorization: `Bearer ${key.key}` });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ca-auth-"));
  keysFile = await writeKeysFile(dir, [reader, writer, admin]);
  running = await startTestService({ API_KEYS_FILE: keysFile });
  transports = [
    ["gRPC", createGrpcTransport({ baseUrl: running.baseUrl })],
    ["Connect", createConnectTransport({ baseUrl: running.baseUrl, httpVersion: "1.1" })],
  ];
});

afterAll(async () => {
  await running?.close();
  await rm(dir, { recursive: true, force: true });
});

const methods = SERVICES.flatMap((service) => service.methods);

describe("every API RPC refuses callers without a good key", () => {
  it("sweeps every method of every service", () => {
    expect(methods.length).toBeGreaterThanOrEqual(20);
  });

  it.each([
    ["no Authorization header", {}],
    ["an unknown key", bearer(wrong)],
    ["a Basic credential", { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` }],
    ["an empty bearer", { authorization: "Bearer " }],
  ])("%s is UNAUTHENTICATED on gRPC and Connect", async (_what, headers) => {
    for (const [protocol, transport] of transports) {
      for (const method of methods) {
        const err = await callWithEmptyRequest(transport, method, headers);
        const where = `${protocol} ${method.parent.name}/${method.name}`;
        expect(err?.code, where).toBe(Code.Unauthenticated);
        expect(err?.rawMessage, where).not.toContain(wrong.key);
      }
    }
  });

  it("answers a Connect caller without a key with HTTP 401 and a JSON error", async () => {
    const res = await fetch(`${running.baseUrl}/customeranalytics.v1.CustomerService/GetCustomer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ customerId: "C001" }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("unauthenticated");
  });

  it("lets a reader key read", async () => {
    for (const [protocol, transport] of transports) {
      const customers = createClient(CustomerService, transport);
      const res = await customers.getCustomer(
        { customerId: "C002" },
        { headers: bearer(reader), timeoutMs: 5_000 },
      );
      expect(res.customer?.customerId, protocol).toBe("C002");
    }
  });
});

describe("roles", () => {
  it("the proto's idempotency options make TriggerSync the one admin RPC", () => {
    expect(adminProcedures(SERVICES)).toEqual(["customeranalytics.v1.SyncService/TriggerSync"]);
  });

  it("the writes, and only they, need the writer role", () => {
    const writes = writerProcedures(SERVICES).map((name) => name.split("/")[1]);
    expect(writes.sort()).toEqual(
      ["Customer", "Product", "Holding"]
        .flatMap((noun) => ["Create", "Update", "Delete"].map((verb) => `${verb}${noun}`))
        .sort(),
    );
  });

  it("a reader cannot write; a writer can (this source then refuses: it is read-only)", async () => {
    const customers = createClient(CustomerService, transports[0]?.[1] as Transport);
    const request = { customer: { customerId: "C001", region: "x" } };
    const asReader = await customers
      .updateCustomer(request, { headers: bearer(reader), timeoutMs: 5_000 })
      .catch((e: unknown) => e as { code: Code; rawMessage: string });
    expect(asReader).toMatchObject({ code: Code.PermissionDenied });
    expect((asReader as { rawMessage: string }).rawMessage).toContain(
      "dashboard has the reader role; UpdateCustomer needs writer",
    );
    const asWriter = await customers
      .updateCustomer(request, { headers: bearer(writer), timeoutMs: 5_000 })
      .catch((e: unknown) => e as { code: Code });
    expect(asWriter).toMatchObject({ code: Code.FailedPrecondition });
  });

  it("TriggerSync refuses a reader with PERMISSION_DENIED naming the role, not the key", async () => {
    for (const [protocol, transport] of transports) {
      const sync = createClient(SyncService, transport);
      const err = await sync.triggerSync({}, { headers: bearer(reader), timeoutMs: 5_000 }).then(
        () => undefined,
        (e: unknown) => e as { code: Code; rawMessage: string },
      );
      expect(err?.code, protocol).toBe(Code.PermissionDenied);
      expect(err?.rawMessage).toContain("dashboard has the reader role");
      expect(err?.rawMessage).not.toContain(reader.key);
    }
  });

  it("TriggerSync refuses a writer: writing data is not controlling the service", async () => {
    const sync = createClient(SyncService, transports[0]?.[1] as Transport);
    const err = await sync.triggerSync({}, { headers: bearer(writer), timeoutMs: 5_000 }).then(
      () => undefined,
      (e: unknown) => e as { code: Code; rawMessage: string },
    );
    expect(err?.code).toBe(Code.PermissionDenied);
    expect(err?.rawMessage).toContain("editor has the writer role; TriggerSync needs admin");
  });

  it("TriggerSync accepts an admin key", async () => {
    const sync = createClient(SyncService, transports[0]?.[1] as Transport);
    const res = await sync.triggerSync({}, { headers: bearer(admin), timeoutMs: 5_000 });
    expect(res.run?.runId).not.toBe("");
    await running.service.syncer.idle();
  });
});

describe("what stays open", () => {
  it("health answers without a key", async () => {
    const health = createClient(Health, transports[0]?.[1] as Transport);
    expect((await health.check({ service: "" }, { timeoutMs: 5_000 })).status).toBe(Status.SERVING);
  });

  it("reflection lists services without a key", async () => {
    const reflection = createClient(ServerReflection, transports[0]?.[1] as Transport);
    const requests = (async function* () {
      yield { messageRequest: { case: "listServices" as const, value: "" } };
    })();
    for await (const res of reflection.serverReflectionInfo(requests, { timeoutMs: 5_000 })) {
      expect(res.messageResponse.case).toBe("listServicesResponse");
      break;
    }
  });

  it("/healthz and /readyz answer without a key; /metrics does not", async () => {
    expect((await fetch(`${running.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${running.baseUrl}/readyz`)).status).toBe(200);
    const anonymous = await fetch(`${running.baseUrl}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await fetch(`${running.baseUrl}/metrics`, { headers: bearer(wrong) })).status).toBe(
      401,
    );
    const scraped = await fetch(`${running.baseUrl}/metrics`, { headers: bearer(reader) });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain("customer_analytics_rpc_requests_total");
  });
});

describe("reloading the keys file", () => {
  it("accepts the new keys and refuses removed ones; a bad file keeps the last good keys", async () => {
    const customers = createClient(CustomerService, transports[0]?.[1] as Transport);
    const ask = (key: TestKey) =>
      customers
        .getCustomer({ customerId: "C002" }, { headers: bearer(key), timeoutMs: 5_000 })
        .then(
          () => "ok",
          (e: unknown) => Code[(e as { code: Code }).code],
        );
    const rotated = newKey("dashboard-2", "reader");
    await writeKeysFile(dir, [rotated, admin]);
    expect(await running.service.reloadCredentials()).toBe(true);
    expect(await ask(rotated)).toBe("ok");
    expect(await ask(reader)).toBe("Unauthenticated");

    await writeFile(keysFile, "[{ not json");
    expect(await running.service.reloadCredentials()).toBe(false);
    expect(await ask(rotated)).toBe("ok");
    expect(await ask(reader)).toBe("Unauthenticated");
  });
});

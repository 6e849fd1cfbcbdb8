import { toJson } from "@bufbuild/protobuf";
import { createClient, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CustomerService,
  GetCustomerResponseSchema,
} from "../gen/customeranalytics/v1/customer_pb.js";
import { startTestService, type TestService } from "./support/test-service.js";

// Every protocol the one port speaks, from the clients a caller would use, must give the same
// answer; plus the plain-HTTP surface: Connect JSON by fetch, errors, request ids, CORS, probes.

const ALLOWED_ORIGIN = "http://allowed.example";
const GET_CUSTOMER = "/customeranalytics.v1.CustomerService/GetCustomer";

let running: TestService;

beforeAll(async () => {
  running = await startTestService({ CORS_ORIGINS: ALLOWED_ORIGIN });
});

afterAll(async () => {
  await running?.close();
});

/** POSTs a Connect unary JSON request over HTTP/1.1 (Node's fetch never speaks h2c). */
function postJson(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${running.baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
}

describe("every transport answers GetCustomer identically", () => {
  const transports: [string, () => Transport][] = [
    ["gRPC (h2c)", () => createGrpcTransport({ baseUrl: running.baseUrl })],
    ["Connect (h2c)", () => createConnectTransport({ baseUrl: running.baseUrl, httpVersion: "2" })],
    [
      "Connect (HTTP/1.1)",
      () => createConnectTransport({ baseUrl: running.baseUrl, httpVersion: "1.1" }),
    ],
    [
      "gRPC-Web (HTTP/1.1)",
      () => createGrpcWebTransport({ baseUrl: running.baseUrl, httpVersion: "1.1" }),
    ],
  ];

  it("gives one answer whatever the protocol", async () => {
    const answers: unknown[] = [];
    for (const [name, make] of transports) {
      const client = createClient(CustomerService, make());
      const res = await client.getCustomer({ customerId: "C002" }, { timeoutMs: 5_000 });
      const json = toJson(GetCustomerResponseSchema, res) as Record<string, unknown>;
      // `age` is measured per call; everything else must match exactly.
      const { age: _age, ...meta } = json.meta as Record<string, unknown>;
      answers.push({ name, ...json, meta });
    }
    const [first, ...rest] = answers.map((a) => ({ ...(a as object), name: undefined }));
    expect(first).toMatchObject({
      customer: { customerId: "C002", customerName: "Bob & Co" },
      summary: { totalValue: "250949.75", relationships: 3 },
      meta: { source: "DATA_SOURCE_SNAPSHOT", snapshotId: running.service.store.live?.id },
    });
    for (const other of rest) expect(other).toEqual(first);
  });
});

describe("Connect JSON over plain fetch", () => {
  it("returns the customer as JSON with exact decimals", async () => {
    const res = await postJson(GET_CUSTOMER, { customerId: "C002" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await res.json()) as {
      customer: { customerId: string };
      summary: { totalValue: string; totalValueNumber: number };
    };
    expect(body.customer.customerId).toBe("C002");
    expect(body.summary.totalValue).toBe("250949.75");
    expect(body.summary.totalValueNumber).toBe(250949.75);
  });

  it("accepts the proto field names too", async () => {
    const res = await postJson(GET_CUSTOMER, { customer_id: "C002" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { summary: { totalValue: string } };
    expect(body.summary.totalValue).toBe("250949.75");
  });

  it("maps NOT_FOUND to HTTP 404 with a Connect error body", async () => {
    const res = await postJson(GET_CUSTOMER, { customerId: "C999" });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe("not_found");
    expect(body.message).toContain("C999");
  });
});

describe("request ids", () => {
  it("gives every response an x-request-id", async () => {
    const a = await postJson(GET_CUSTOMER, { customerId: "C002" });
    const b = await postJson(GET_CUSTOMER, { customerId: "C002" });
    const idA = a.headers.get("x-request-id");
    const idB = b.headers.get("x-request-id");
    expect(idA).toMatch(/^[A-Za-z0-9._:-]{1,64}$/);
    expect(idB).toMatch(/^[A-Za-z0-9._:-]{1,64}$/);
    expect(idA).not.toBe(idB);
  });

  it("echoes a sane id the caller sent, on answers and on errors", async () => {
    const ok = await postJson(GET_CUSTOMER, { customerId: "C002" }, { "x-request-id": "abc-123" });
    expect(ok.headers.get("x-request-id")).toBe("abc-123");
    const failed = await postJson(
      GET_CUSTOMER,
      { customerId: "C999" },
      { "x-request-id": "trace.42:x" },
    );
    expect(failed.status).toBe(404);
    expect(failed.headers.get("x-request-id")).toBe("trace.42:x");
  });

  it("replaces an id that is not sane", async () => {
    const res = await postJson(
      GET_CUSTOMER,
      { customerId: "C002" },
      { "x-request-id": "has spaces and <angle brackets>" },
    );
    const id = res.headers.get("x-request-id");
    expect(id).not.toBeNull();
    expect(id).not.toContain(" ");
    expect(id).toMatch(/^[A-Za-z0-9._:-]{1,64}$/);
  });
});

describe("CORS", () => {
  const preflight = (origin: string) =>
    fetch(`${running.baseUrl}${GET_CUSTOMER}`, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,connect-protocol-version",
      },
      signal: AbortSignal.timeout(5_000),
    });

  it("answers a preflight from an allowed origin", async () => {
    const res = await preflight(ALLOWED_ORIGIN);
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(res.headers.get("access-control-allow-headers")?.toLowerCase()).toContain(
      "connect-protocol-version",
    );
  });

  it("gives no allow-origin to another origin", async () => {
    const res = await preflight("http://evil.example");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("exposes headers on an actual call from an allowed origin", async () => {
    const res = await postJson(GET_CUSTOMER, { customerId: "C002" }, { origin: ALLOWED_ORIGIN });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    expect(res.headers.get("access-control-expose-headers")?.toLowerCase()).toContain(
      "x-request-id",
    );
  });
});

describe("probes", () => {
  it("/healthz is 200", async () => {
    const res = await fetch(`${running.baseUrl}/healthz`, { signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(200);
  });

  it("/readyz is 200 once a snapshot is loaded", async () => {
    expect(running.service.store.live).toBeDefined();
    const res = await fetch(`${running.baseUrl}/readyz`, { signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(200);
  });
});

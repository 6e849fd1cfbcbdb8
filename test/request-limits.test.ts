import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Freshness } from "../gen/customeranalytics/v1/common_pb.js";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { type EmulatorHandle, startEmulator } from "./emulator/index.js";
import { BASIC_FIXTURE, startTestService, type TestService } from "./support/test-service.js";

// The limits a caller can hit end to end, each saying which limit it was: the request size
// (MAX_REQUEST_BYTES) and the server's default deadline (DEFAULT_DEADLINE), which a caller's
// own deadline replaces. Page sizes are protovalidate rules (bad-input.test.ts); live-query
// slots and timeouts are in snowflake-live-runner.test.ts; export rows in the export tests.

const MAX_BYTES = 2048;
const DEFAULT_DEADLINE_MS = 500;

let emulator: EmulatorHandle;
let running: TestService;
let transports: [string, Transport][];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, dataDir: BASIC_FIXTURE });
  running = await startTestService({
    SOURCE: "snowflake",
    LOCAL_SOURCE_DIR: "",
    SNOWFLAKE_ACCOUNT: "emulator",
    SNOWFLAKE_USER: "analytics",
    SNOWFLAKE_PASSWORD: "emulator",
    SNOWFLAKE_DATABASE: "ANALYTICS",
    SNOWFLAKE_SCHEMA: "PUBLIC",
    SNOWFLAKE_ACCESS_URL: emulator.url,
    MAX_REQUEST_BYTES: String(MAX_BYTES),
    DEFAULT_DEADLINE: `${DEFAULT_DEADLINE_MS}ms`,
    LIVE_QUERY_TIMEOUT: "10s",
  });
  transports = [
    ["gRPC", createGrpcTransport({ baseUrl: running.baseUrl })],
    ["Connect", createConnectTransport({ baseUrl: running.baseUrl, httpVersion: "1.1" })],
  ];
});

afterAll(async () => {
  await running?.close();
  await emulator?.close();
});

const failure = (err: unknown) => ConnectError.from(err);

describe("request size", () => {
  it("a request over MAX_REQUEST_BYTES is RESOURCE_EXHAUSTED naming the limit", async () => {
    const customerIds = Array.from(
      { length: 100 },
      (_, i) => `customer-${String(i).padStart(20, "0")}`,
    );
    for (const [protocol, transport] of transports) {
      const customers = createClient(CustomerService, transport);
      const err = await customers
        .batchGetCustomers({ customerIds }, { timeoutMs: 5_000 })
        .then(() => undefined, failure);
      expect(err?.code, protocol).toBe(Code.ResourceExhausted);
      expect(err?.rawMessage, protocol).toContain(String(MAX_BYTES));
      expect(err?.rawMessage, protocol).toMatch(/readMaxBytes|MAX_REQUEST_BYTES/);
    }
  });

  it("a request under the limit is served", async () => {
    const customers = createClient(CustomerService, transports[0]?.[1] as Transport);
    const res = await customers.batchGetCustomers({ customerIds: ["C001", "C002"] });
    expect(res.customers.length).toBe(2);
  });
});

describe("deadlines", () => {
  const live = { freshness: Freshness.LIVE_REQUIRED };

  it("a call that brought no deadline gets DEFAULT_DEADLINE and is told so", async () => {
    await emulator.setFaults({
      slowQueries: { count: 2, delayMs: 3_000, sqlPattern: "customer_id" },
    });
    for (const [protocol, transport] of transports) {
      const customers = createClient(CustomerService, transport);
      const started = performance.now();
      const err = await customers
        .getCustomer({ customerId: "C002", readOptions: live })
        .then(() => undefined, failure);
      const took = performance.now() - started;
      expect(err?.code, protocol).toBe(Code.DeadlineExceeded);
      expect(err?.rawMessage, protocol).toContain("DEFAULT_DEADLINE");
      expect(took, protocol).toBeGreaterThanOrEqual(DEFAULT_DEADLINE_MS - 50);
      expect(took, protocol).toBeLessThan(2_500);
    }
    await emulator.clearFaults();
  });

  it("a caller's own, longer deadline replaces the default", async () => {
    await emulator.setFaults({
      slowQueries: { count: 1, delayMs: 1_200, sqlPattern: "customer_id" },
    });
    const customers = createClient(CustomerService, transports[0]?.[1] as Transport);
    const res = await customers.getCustomer(
      { customerId: "C002", readOptions: live },
      { timeoutMs: 8_000 },
    );
    expect(res.customer?.customerId).toBe("C002");
    await emulator.clearFaults();
  });
});

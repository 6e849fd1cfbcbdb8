import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Freshness } from "../gen/customeranalytics/v1/common_pb.js";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { PortfolioService } from "../gen/customeranalytics/v1/portfolio_pb.js";
import { type EmulatorHandle, startEmulator } from "./emulator/index.js";
import { BASIC_FIXTURE, startTestService, type TestService } from "./support/test-service.js";

// Writes through the real snowflake-sdk to the emulator: each one is a transaction the
// emulator honours, so a write applies whole or not at all; faults during a write (503s, a
// hung statement, an expired session) end in UNAVAILABLE or success, and the source and the
// service agree afterwards either way.

let emulator: EmulatorHandle;
let running: TestService;
let env: Record<string, string>;
let customers: ReturnType<typeof createClient<typeof CustomerService>>;
let portfolios: ReturnType<typeof createClient<typeof PortfolioService>>;

const live = { readOptions: { freshness: Freshness.LIVE_REQUIRED } };

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, dataDir: BASIC_FIXTURE });
  env = {
    SOURCE: "snowflake",
    LOCAL_SOURCE_DIR: "",
    SNOWFLAKE_ACCOUNT: "emulator",
    SNOWFLAKE_USER: "analytics",
    SNOWFLAKE_PASSWORD: "emulator",
    SNOWFLAKE_DATABASE: "ANALYTICS",
    SNOWFLAKE_SCHEMA: "PUBLIC",
    SNOWFLAKE_ACCESS_URL: emulator.url,
    LIVE_QUERY_TIMEOUT: "5s",
    WRITE_TIMEOUT: "1500ms",
    SYNC_AFTER_WRITES: "off",
  };
  running = await startTestService(env);
  const transport = createGrpcTransport({ baseUrl: running.baseUrl });
  customers = createClient(CustomerService, transport);
  portfolios = createClient(PortfolioService, transport);
});

afterEach(async () => {
  await emulator.clearFaults();
});

afterAll(async () => {
  await running?.close();
  await emulator?.close();
});

/** A value of one row as the emulator's DuckDB holds it now. */
async function atSource(sql: string, params: readonly string[]): Promise<unknown> {
  const result = await emulator.sql(sql, params);
  return result.rows[0]?.[0];
}

const regionAtSource = (id: string) =>
  atSource("SELECT region FROM customers WHERE customer_id = ?", [id]);

const outcome = (call: Promise<unknown>) =>
  call.then(
    () => "ok",
    (err: unknown) => Code[ConnectError.from(err).code],
  );

describe("writes go to Snowflake first", () => {
  it("create, get, list, update, stale update, delete, get", async () => {
    const created = await customers.createCustomer({
      customer: {
        customerId: "S100",
        customerName: "Snow",
        customerType: "retail",
        region: "Arctic",
        registrationDate: "2024-03-01",
        status: "active",
      },
    });
    expect(await regionAtSource("S100")).toBe("Arctic");
    const got = await customers.getCustomer({ customerId: "S100" });
    expect(got.customer?.etag).toBe(created.etag);
    expect(got.meta?.includesPendingWrites).toBe(true);
    const liveGot = await customers.getCustomer({ customerId: "S100", ...live });
    expect(liveGot.customer).toEqual(got.customer);
    expect((await customers.listCustomers({ region: "arctic" })).customers).toHaveLength(1);
    const updated = await customers.updateCustomer({
      customer: { customerId: "S100", region: "Antarctic", etag: created.etag },
    });
    expect(await regionAtSource("S100")).toBe("Antarctic");
    expect(
      await outcome(
        customers.updateCustomer({
          customer: { customerId: "S100", region: "x", etag: created.etag },
        }),
      ),
    ).toBe("Aborted");
    await customers.deleteCustomer({ customerId: "S100", etag: updated.etag });
    expect(await regionAtSource("S100")).toBeUndefined();
    expect(await outcome(customers.getCustomer({ customerId: "S100" }))).toBe("NotFound");
  });

  it("deletes a customer and its holdings in one transaction", async () => {
    await customers.deleteCustomer({ customerId: "C003", force: true });
    expect(
      await atSource("SELECT count(*) FROM customer_products WHERE customer_id = ?", ["C003"]),
    ).toBe("0");
    expect(await atSource("SELECT count(*) FROM customers WHERE customer_id = ?", ["C003"])).toBe(
      "0",
    );
    expect(await outcome(portfolios.getCustomerPortfolio({ customerId: "C003" }))).toBe("NotFound");
  });

  it("two concurrent updates with the same etag: exactly one wins", async () => {
    const { customer } = await customers.getCustomer({ customerId: "C004" });
    const etag = customer?.etag ?? "";
    const results = await Promise.all(
      ["A", "B", "C"].map((region) =>
        outcome(customers.updateCustomer({ customer: { customerId: "C004", region, etag } })),
      ),
    );
    expect(results.filter((r) => r === "ok")).toHaveLength(1);
    expect(results.filter((r) => r === "Aborted")).toHaveLength(2);
    const winner = (await customers.getCustomer({ customerId: "C004" })).customer?.region;
    expect(await regionAtSource("C004")).toBe(winner);
  });
});

describe("Snowflake failing during a write", () => {
  /** The service's answer and the source's row agree, and match the write's outcome. */
  async function agreeAfter(result: string, id: string, wanted: string, before: unknown) {
    const source = await regionAtSource(id);
    const served = (await customers.getCustomer({ customerId: id })).customer?.region;
    expect(served).toBe(source);
    expect(source).toBe(result === "ok" ? wanted : before);
  }

  it("503s on the write's requests: UNAVAILABLE or success, never half of it", async () => {
    for (const count of [1, 3, 20]) {
      const before = await regionAtSource("C002");
      const wanted = `South ${count}`;
      await emulator.setFaults({ http5xx: { count, pathPattern: "query-request" } });
      const result = await outcome(
        customers.updateCustomer({ customer: { customerId: "C002", region: wanted } }),
      );
      await emulator.clearFaults();
      expect(["ok", "Unavailable"]).toContain(result);
      await agreeAfter(result, "C002", wanted, before);
    }
  });

  it("a hung statement: UNAVAILABLE within the write timeout, rolled back, nothing changed", async () => {
    const before = await regionAtSource("C005");
    await emulator.setFaults({ hangQueries: { count: 1, sqlPattern: "^UPDATE customers" } });
    const result = await outcome(
      customers.updateCustomer({ customer: { customerId: "C005", region: "Hung" } }),
    );
    expect(result).toBe("Unavailable");
    await agreeAfter(result, "C005", "Hung", before);
    // The transaction was rolled back, so the lock is free for the next write.
    await customers.updateCustomer({ customer: { customerId: "C005", region: "After" } });
    expect(await regionAtSource("C005")).toBe("After");
  });

  it("an expired session mid-write: the driver renews it and the write applies once", async () => {
    await emulator.setFaults({ expireSessions: 2 });
    const result = await outcome(
      customers.updateCustomer({ customer: { customerId: "C001", region: "Renewed" } }),
    );
    expect(["ok", "Unavailable"]).toContain(result);
    await agreeAfter(result, "C001", "Renewed", "North");
  });

  it("a restart before any sync still shows the writes: they are in Snowflake", async () => {
    await customers.updateCustomer({ customer: { customerId: "C002", region: "Restarted" } });
    await running.close({ keepData: true });
    running = await startTestService(env, running.dataDir);
    customers = createClient(CustomerService, createGrpcTransport({ baseUrl: running.baseUrl }));
    const after = await customers.getCustomer({ customerId: "C002" });
    expect(after.customer?.region).toBe("Restarted");
  });

  it("a sync takes the writes in and the overlay gives way", async () => {
    await running.service.syncer.sync("request");
    const after = await customers.getCustomer({ customerId: "C005" });
    expect(after.customer?.region).toBe("After");
    expect(after.meta).toMatchObject({ includesPendingWrites: false, pendingWrites: 0 });
  });
});

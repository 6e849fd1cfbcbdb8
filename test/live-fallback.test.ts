import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataSource, Freshness } from "../gen/customeranalytics/v1/common_pb.js";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { PortfolioService } from "../gen/customeranalytics/v1/portfolio_pb.js";
import { ProductService } from "../gen/customeranalytics/v1/product_pb.js";
import { SyncService, SyncState } from "../gen/customeranalytics/v1/sync_pb.js";
import { type EmulatorHandle, startEmulator } from "./emulator/index.js";
import { BASIC_FIXTURE, startTestService, type TestService } from "./support/test-service.js";

// The service synced through the real snowflake-sdk from the emulator, asked the same
// questions of its snapshot (CACHE_ONLY) and of Snowflake (LIVE_REQUIRED).

let emulator: EmulatorHandle;
let running: TestService;
let customers: ReturnType<typeof createClient<typeof CustomerService>>;
let products: ReturnType<typeof createClient<typeof ProductService>>;
let portfolios: ReturnType<typeof createClient<typeof PortfolioService>>;
let sync: ReturnType<typeof createClient<typeof SyncService>>;

const cached = { readOptions: { freshness: Freshness.CACHE_ONLY } };
const live = { readOptions: { freshness: Freshness.LIVE_REQUIRED } };

function snowflakeEnv(url: string, password = "emulator"): Record<string, string> {
  return {
    SOURCE: "snowflake",
    LOCAL_SOURCE_DIR: "",
    SNOWFLAKE_ACCOUNT: "emulator",
    SNOWFLAKE_USER: "analytics",
    SNOWFLAKE_PASSWORD: password,
    SNOWFLAKE_DATABASE: "ANALYTICS",
    SNOWFLAKE_SCHEMA: "PUBLIC",
    SNOWFLAKE_ACCESS_URL: url,
    LIVE_QUERY_TIMEOUT: "2s",
  };
}

/** A response without its meta, for comparing the two paths' answers field by field. */
function answer<T extends { meta?: unknown }>(response: T): Omit<T, "meta"> {
  const { meta: _meta, ...rest } = response;
  return rest;
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, dataDir: BASIC_FIXTURE });
  running = await startTestService(snowflakeEnv(emulator.url));
  const transport = createGrpcTransport({ baseUrl: running.baseUrl });
  customers = createClient(CustomerService, transport);
  products = createClient(ProductService, transport);
  portfolios = createClient(PortfolioService, transport);
  sync = createClient(SyncService, transport);
});

afterAll(async () => {
  await running?.close();
  await emulator?.close();
});

describe("the snapshot and Snowflake give the same answers", () => {
  it("synced through the driver", async () => {
    const status = await sync.getSyncStatus({});
    expect(status.source).toBe("snowflake");
    expect(status.lastRun?.state).toBe(SyncState.SUCCEEDED);
  });

  it.each([
    [
      "GetCustomer",
      () => customers.getCustomer({ customerId: "C002", ...cached }),
      () => customers.getCustomer({ customerId: "C002", ...live }),
    ],
    [
      "BatchGetCustomers",
      () => customers.batchGetCustomers({ customerIds: ["C005", "x", "C001"], ...cached }),
      () => customers.batchGetCustomers({ customerIds: ["C005", "x", "C001"], ...live }),
    ],
    [
      "ListCustomers",
      () => customers.listCustomers({ region: "North", pageSize: 2, ...cached }),
      () => customers.listCustomers({ region: "North", pageSize: 2, ...live }),
    ],
    [
      "ListCustomers, filters in another case",
      () => customers.listCustomers({ region: "NORTH", status: "ACTIVE", ...cached }),
      () => customers.listCustomers({ region: "NORTH", status: "ACTIVE", ...live }),
    ],
    [
      "GetProduct",
      () => products.getProduct({ productId: "P04", ...cached }),
      () => products.getProduct({ productId: "P04", ...live }),
    ],
    [
      "ListProducts",
      () => products.listProducts({ productCategory: "banking", ...cached }),
      () => products.listProducts({ productCategory: "banking", ...live }),
    ],
    [
      "ListProducts, filters in another case",
      () => products.listProducts({ productCategory: "Banking", status: "Active", ...cached }),
      () => products.listProducts({ productCategory: "Banking", status: "Active", ...live }),
    ],
    [
      "ListProductCustomers",
      () => products.listProductCustomers({ productId: "P03", ...cached }),
      () => products.listProductCustomers({ productId: "P03", ...live }),
    ],
    [
      "GetCustomerPortfolio",
      () => portfolios.getCustomerPortfolio({ customerId: "C002", asOf: "2023-01-01", ...cached }),
      () => portfolios.getCustomerPortfolio({ customerId: "C002", asOf: "2023-01-01", ...live }),
    ],
  ] as const)("%s", async (_name, fromSnapshot, fromSnowflake) => {
    const a = await fromSnapshot();
    const b = await fromSnowflake();
    expect(a.meta?.source).toBe(DataSource.SNAPSHOT);
    expect(b.meta?.source).toBe(DataSource.LIVE);
    expect(answer(b)).toEqual(answer(a));
  });

  it("continues a live listing with a token the snapshot issued", async () => {
    const first = await customers.listCustomers({ pageSize: 2, ...cached });
    const second = await customers.listCustomers({
      pageSize: 2,
      pageToken: first.nextPageToken,
      ...live,
    });
    expect([...first.customers, ...second.customers].map((c) => c.customerId)).toEqual([
      "C001",
      "C002",
      "C003",
      "C004",
    ]);
  });
});

describe("freshness routing", () => {
  it("sees a change live at once, in the snapshot only after a sync", async () => {
    await emulator.sql(
      `INSERT INTO customer_products VALUES ('R100', 'C004', 'P02', 'holder', DATE '2024-01-01', NULL, 12.34)`,
    );
    const before = await customers.getCustomer({ customerId: "C004" });
    expect(before.meta?.source).toBe(DataSource.SNAPSHOT);
    expect(before.summary?.totalValue).toBe("0.00");
    const fresh = await customers.getCustomer({ customerId: "C004", ...live });
    expect(fresh.summary?.totalValue).toBe("12.34");
    const budget = await customers.getCustomer({
      customerId: "C004",
      readOptions: { maxStaleness: durationFromMs(0) },
    });
    expect(budget.meta?.source).toBe(DataSource.LIVE);
    expect(budget.summary?.totalValue).toBe("12.34");

    const trigger = await sync.triggerSync({});
    expect(trigger.joined).toBe(false);
    const done = await running.service.syncer.sync("request");
    expect(done.state).toBe("succeeded");
    const after = await customers.getCustomer({ customerId: "C004" });
    expect(after.meta?.source).toBe(DataSource.SNAPSHOT);
    expect(after.meta?.snapshotId).not.toBe(before.meta?.snapshotId);
    expect(after.summary?.totalValue).toBe("12.34");
  });

  it("answers from the snapshot, saying so, when Snowflake fails and cached data is allowed", async () => {
    await emulator.setFaults({ http5xx: { count: 1000, pathPattern: "query-request" } });
    try {
      const res = await customers.getCustomer({
        customerId: "C001",
        readOptions: { maxStaleness: durationFromMs(0) },
      });
      expect(res.meta?.source).toBe(DataSource.SNAPSHOT);
      expect(res.meta?.staleFallback).toBe(true);
      expect(res.meta?.fallbackReason).toContain("live source failed");
      expect(res.summary?.totalValue).toBe("2600.15");
      const err = await customers.getCustomer({ customerId: "C001", ...live }).then(
        () => undefined,
        (e: unknown) => ConnectError.from(e),
      );
      expect(err?.code).toBe(Code.Unavailable);
      expect(err?.rawMessage).toContain("live data was required");
    } finally {
      await emulator.clearFaults();
    }
  });

  it("keeps SQL metacharacters in ids inert on both paths", async () => {
    const hostile = [
      "C001' OR '1'='1",
      "C001; DROP TABLE customers; --",
      "%",
      "C00_",
      "\\' OR 1=1 --",
    ];
    for (const id of hostile) {
      for (const options of [cached, live]) {
        const err = await customers.getCustomer({ customerId: id, ...options }).then(
          () => undefined,
          (e: unknown) => ConnectError.from(e),
        );
        expect(err?.code).toBe(Code.NotFound);
      }
      const listed = await customers.listCustomers({ nameContains: id, ...live });
      expect(listed.customers).toEqual([]);
    }
    const all = await customers.listCustomers({ ...live });
    expect(all.customers.map((c) => c.customerId)).toEqual([
      "C001",
      "C002",
      "C003",
      "C004",
      "C005",
    ]);
  });
});

describe("a Snowflake that refuses the credentials at start-up", () => {
  it("stays up, not ready, says why, and schedules a retry", async () => {
    const refused = await startTestService(snowflakeEnv(emulator.url, "wrong-password"));
    try {
      const readyz = await fetch(`${refused.baseUrl}/readyz`);
      expect(readyz.status).toBe(503);
      const client = createClient(SyncService, createGrpcTransport({ baseUrl: refused.baseUrl }));
      const status = await client.getSyncStatus({});
      expect(status.lastRun?.state).toBe(SyncState.FAILED);
      expect(status.lastRun?.message).toMatch(/credentials/i);
      expect(status.lastRun?.message).not.toContain("wrong-password");
      expect(status.nextRunAt).toBeDefined();
      const err = await createClient(
        CustomerService,
        createGrpcTransport({ baseUrl: refused.baseUrl }),
      )
        .getCustomer({ customerId: "C001", ...cached })
        .then(
          () => undefined,
          (e: unknown) => ConnectError.from(e),
        );
      expect(err?.code).toBe(Code.Unavailable);
    } finally {
      await refused.close();
    }
  });
});

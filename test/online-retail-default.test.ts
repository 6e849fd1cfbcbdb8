import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { PortfolioService } from "../gen/customeranalytics/v1/portfolio_pb.js";
import { SyncService, SyncState } from "../gen/customeranalytics/v1/sync_pb.js";
import { BUNDLED_ONLINE_RETAIL_PATH } from "../src/source/online-retail.js";
import { startTestService, type TestService } from "./support/test-service.js";

// With nothing configured the service serves the bundled Online Retail file. The expectations
// here are computed by this test straight from the raw file with plain DuckDB SQL, following
// the dataset README (drop exact duplicate lines and lines without a CustomerID; value is
// round(Quantity × UnitPrice, 2)), not by the service's loader.

const RAW = `SELECT * FROM read_csv(?, header = true, all_varchar = true)`;
const INDEPENDENT = `WITH raw AS (${RAW}),
  distinct_lines AS (SELECT DISTINCT * FROM raw)
  SELECT
    (SELECT count(*) FROM raw) - (SELECT count(*) FROM distinct_lines) AS duplicates,
    (SELECT count(*) FROM distinct_lines WHERE CustomerID IS NULL OR CustomerID = '') AS anonymous,
    (SELECT count(*) FROM distinct_lines WHERE CustomerID <> '') AS kept,
    (SELECT count(DISTINCT CustomerID) FROM distinct_lines WHERE CustomerID <> '') AS customers`;
const CUSTOMER_TOTAL = `WITH raw AS (${RAW}), lines AS (SELECT DISTINCT * FROM raw)
  SELECT count(*)::INTEGER AS n, count(DISTINCT StockCode)::INTEGER AS products,
    sum(round(Quantity::DECIMAL(18,0) * UnitPrice::DECIMAL(18,3), 2))::DECIMAL(18,2)::VARCHAR AS total
  FROM lines WHERE CustomerID = ?`;

let running: TestService;
let expected: { duplicates: number; anonymous: number; kept: number; customers: number };
let raw: Awaited<ReturnType<DuckDBInstance["connect"]>>;

beforeAll(async () => {
  running = await startTestService({ SOURCE: "online-retail", LOCAL_SOURCE_DIR: "" });
  const instance = await DuckDBInstance.create(":memory:");
  raw = await instance.connect();
  const reader = await raw.runAndReadAll(INDEPENDENT, [BUNDLED_ONLINE_RETAIL_PATH]);
  const [row] = reader.getRowObjectsJson();
  expected = {
    duplicates: Number(row?.duplicates),
    anonymous: Number(row?.anonymous),
    kept: Number(row?.kept),
    customers: Number(row?.customers),
  };
});

afterAll(async () => {
  raw?.closeSync();
  await running?.close();
});

describe("the Online Retail default", () => {
  it("loads every row it does not report dropping", async () => {
    const sync = createClient(SyncService, createGrpcTransport({ baseUrl: running.baseUrl }));
    const status = await sync.getSyncStatus({});
    expect(status.source).toBe("online-retail");
    expect(status.lastRun?.state).toBe(SyncState.SUCCEEDED);
    const rows = Object.fromEntries(
      (status.liveSnapshot?.tables ?? []).map((t) => [t.table, Number(t.rows)]),
    );
    expect(rows.customers).toBe(expected.customers);
    expect(rows.customer_products).toBe(expected.kept);
    const dropped = (status.lastRun?.dropped ?? [])
      .map((d) => Number(d.rows))
      .sort((a, b) => a - b);
    expect(dropped).toEqual([expected.duplicates, expected.anonymous].sort((a, b) => a - b));
    expect((rows.customer_products ?? 0) + expected.duplicates + expected.anonymous).toBe(541_909);
  });

  it.each(["12347", "17850", "14646"])(
    "gives customer %s the totals of the raw file",
    async (id) => {
      const reader = await raw.runAndReadAll(CUSTOMER_TOTAL, [
        BUNDLED_ONLINE_RETAIL_PATH,
        `${id}.0`,
      ]);
      const [truth] = reader.getRowObjectsJson();
      const customers = createClient(
        CustomerService,
        createGrpcTransport({ baseUrl: running.baseUrl }),
      );
      const res = await customers.getCustomer({ customerId: id });
      expect(res.summary?.relationships).toBe(truth?.n);
      expect(res.summary?.totalProducts).toBe(truth?.products);
      expect(res.summary?.totalValue).toBe(truth?.total);
      const portfolios = createClient(
        PortfolioService,
        createGrpcTransport({ baseUrl: running.baseUrl }),
      );
      const portfolio = await portfolios.getCustomerPortfolio({ customerId: id, pageSize: 1 });
      expect(portfolio.totals?.totalValue).toBe(truth?.total);
      expect(portfolio.totals?.holdings).toBe(truth?.n);
    },
  );
});

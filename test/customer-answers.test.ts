import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataSource } from "../gen/customeranalytics/v1/common_pb.js";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { PortfolioService } from "../gen/customeranalytics/v1/portfolio_pb.js";
import { ProductService } from "../gen/customeranalytics/v1/product_pb.js";
import { startTestService, type TestService } from "./support/test-service.js";

// Answers below were worked out by hand from test/fixtures/basic (see the CSV files). "Today"
// is any day between 2024-07-01 and 2098-12-31: R002 and R006 have ended, R009 starts in 2099.

let running: TestService;
let customers: ReturnType<typeof createClient<typeof CustomerService>>;
let products: ReturnType<typeof createClient<typeof ProductService>>;
let portfolios: ReturnType<typeof createClient<typeof PortfolioService>>;

beforeAll(async () => {
  running = await startTestService();
  const transport = createConnectTransport({ baseUrl: running.baseUrl, httpVersion: "1.1" });
  customers = createClient(CustomerService, transport);
  products = createClient(ProductService, transport);
  portfolios = createClient(PortfolioService, transport);
});

afterAll(async () => {
  await running.close();
});

describe("GetCustomer", () => {
  it("sums a customer's holdings exactly", async () => {
    const res = await customers.getCustomer({ customerId: "C002" });
    expect(res.customer).toMatchObject({
      customerId: "C002",
      customerName: "Bob & Co",
      customerType: "wholesale",
      region: "South",
      registrationDate: "2021-06-01",
      status: "active",
    });
    expect(res.summary).toMatchObject({
      activeProducts: 2,
      totalProducts: 2,
      relationships: 3,
      totalValue: "250949.75",
      firstStartDate: "2021-06-02",
      lastStartDate: "2022-07-01",
    });
    expect(res.meta?.source).toBe(DataSource.SNAPSHOT);
    expect(res.meta?.snapshotId).toBe(running.service.store.live?.id);
  });

  it("does not count ended or future holdings as active", async () => {
    const c001 = await customers.getCustomer({ customerId: "C001" });
    expect(c001.summary).toMatchObject({
      activeProducts: 2,
      totalProducts: 3,
      totalValue: "2600.15",
    });
    const c005 = await customers.getCustomer({ customerId: "C005" });
    expect(c005.summary).toMatchObject({
      activeProducts: 1,
      totalProducts: 2,
      totalValue: "5.01",
      lastStartDate: "2099-01-01",
    });
  });

  it("reports zeros for a customer with no holdings", async () => {
    const res = await customers.getCustomer({ customerId: "C004" });
    expect(res.summary).toMatchObject({
      activeProducts: 0,
      totalProducts: 0,
      relationships: 0,
      totalValue: "0.00",
      firstStartDate: "",
    });
  });

  it("keeps quotes and punctuation in names", async () => {
    const res = await customers.getCustomer({ customerId: "C003" });
    expect(res.customer?.customerName).toBe('Carol\'s "Shop"');
  });
});

describe("BatchGetCustomers", () => {
  it("answers in request order, once per id, and lists the unknown ones", async () => {
    const res = await customers.batchGetCustomers({
      customerIds: ["C005", "nope", "C001", "C005"],
    });
    expect(res.customers.map((c) => c.customer?.customerId)).toEqual(["C005", "C001"]);
    expect(res.customers[1]?.summary?.totalValue).toBe("2600.15");
    expect(res.missingCustomerIds).toEqual(["nope"]);
  });
});

describe("ListCustomers", () => {
  it("filters by region", async () => {
    const res = await customers.listCustomers({ region: "North" });
    expect(res.customers.map((c) => c.customerId)).toEqual(["C001", "C003", "C005"]);
    expect(res.nextPageToken).toBe("");
  });

  it("matches names case-insensitively without wildcards", async () => {
    const co = await customers.listCustomers({ nameContains: "CO" });
    expect(co.customers.map((c) => c.customerId)).toEqual(["C002"]);
    const percent = await customers.listCustomers({ nameContains: "%" });
    expect(percent.customers).toEqual([]);
  });

  it("filters by registration range, both ends inclusive", async () => {
    const res = await customers.listCustomers({
      registeredFrom: "2020-01-15",
      registeredTo: "2021-06-01",
    });
    expect(res.customers.map((c) => c.customerId)).toEqual(["C001", "C002"]);
  });

  it("combines filters", async () => {
    const res = await customers.listCustomers({ region: "North", customerType: "wholesale" });
    expect(res.customers.map((c) => c.customerId)).toEqual(["C005"]);
  });

  it("matches region, type and status ignoring case, the whole value only", async () => {
    const res = await customers.listCustomers({ region: "nORTH", customerType: "WHOLESALE" });
    expect(res.customers.map((c) => c.customerId)).toEqual(["C005"]);
    const inactive = await customers.listCustomers({ status: "Inactive" });
    expect(inactive.customers.map((c) => c.customerId)).toContain("C003");
    expect((await customers.listCustomers({ region: "nort" })).customers).toEqual([]);
  });
});

describe("ListProducts", () => {
  it("matches category, type and status ignoring case", async () => {
    const res = await products.listProducts({ productCategory: "BANKING", productType: "Account" });
    expect(res.products.map((p) => p.productId)).toEqual(["P01", "P02"]);
    const active = await products.listProducts({ status: "ACTIVE", pageSize: 1 });
    expect(active.products).toHaveLength(1);
  });
});

describe("products", () => {
  it("GetProduct counts holders and sums values", async () => {
    const res = await products.getProduct({ productId: "P04" });
    expect(res.product?.productCategory).toBe("lending");
    expect(res.summary).toMatchObject({
      activeCustomers: 1,
      totalCustomers: 1,
      relationships: 2,
      totalValue: "249949.75",
    });
  });

  it("ListProducts filters by category and status", async () => {
    const banking = await products.listProducts({ productCategory: "banking" });
    expect(banking.products.map((p) => p.productId)).toEqual(["P01", "P02"]);
    const retired = await products.listProducts({ status: "retired" });
    expect(retired.products.map((p) => p.productId)).toEqual(["P05"]);
  });

  it("ListProductCustomers lists holders, active only on request", async () => {
    const all = await products.listProductCustomers({ productId: "P03" });
    expect(all.holders.map((h) => [h.customerId, h.active, h.totalValue])).toEqual([
      ["C001", true, "0.05"],
      ["C003", false, "19.99"],
    ]);
    const active = await products.listProductCustomers({ productId: "P03", activeOnly: true });
    expect(active.holders.map((h) => h.customerId)).toEqual(["C001"]);
    const mortgage = await products.listProductCustomers({ productId: "P04" });
    expect(mortgage.holders[0]).toMatchObject({
      customerId: "C002",
      relationships: 2,
      active: true,
    });
  });
});

describe("GetCustomerPortfolio", () => {
  it("lists holdings newest first with totals by category", async () => {
    const res = await portfolios.getCustomerPortfolio({ customerId: "C002" });
    expect(res.holdings.map((h) => [h.relationshipId, h.active, h.value])).toEqual([
      ["R006", false, "-50.25"],
      ["R005", true, "250000.00"],
      ["R004", true, "1000.00"],
    ]);
    expect(res.holdings[0]).toMatchObject({
      productName: "Mortgage",
      productCategory: "lending",
      endDate: "2024-06-30",
    });
    expect(
      res.categoryTotals.map((t) => [
        t.productCategory,
        t.holdings,
        t.activeHoldings,
        t.totalValue,
        t.activeValue,
      ]),
    ).toEqual([
      ["lending", 2, 1, "249949.75", "250000.00"],
      ["banking", 1, 1, "1000.00", "1000.00"],
    ]);
    expect(res.totals).toMatchObject({
      productCategory: "",
      holdings: 3,
      activeHoldings: 2,
      totalValue: "250949.75",
      activeValue: "251000.00",
    });
  });

  it("judges activity on the as-of day", async () => {
    const res = await portfolios.getCustomerPortfolio({ customerId: "C002", asOf: "2023-01-01" });
    expect(res.asOf).toBe("2023-01-01");
    expect(res.totals).toMatchObject({ activeHoldings: 3, activeValue: "250949.75" });
    const before = await portfolios.getCustomerPortfolio({
      customerId: "C002",
      asOf: "2021-06-15",
      activeOnly: true,
    });
    expect(before.holdings.map((h) => h.relationshipId)).toEqual(["R004"]);
  });

  it("pages holdings by keyset without losing any", async () => {
    const first = await portfolios.getCustomerPortfolio({ customerId: "C001", pageSize: 2 });
    expect(first.holdings.map((h) => h.relationshipId)).toEqual(["R003", "R002"]);
    const second = await portfolios.getCustomerPortfolio({
      customerId: "C001",
      pageSize: 2,
      pageToken: first.nextPageToken,
    });
    expect(second.holdings.map((h) => h.relationshipId)).toEqual(["R001"]);
    expect(second.nextPageToken).toBe("");
    expect(second.totals?.holdings).toBe(3);
  });
});

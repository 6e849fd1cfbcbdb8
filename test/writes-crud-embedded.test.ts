import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { ExportFormat, ExportService } from "../gen/customeranalytics/v1/export_pb.js";
import { PortfolioService } from "../gen/customeranalytics/v1/portfolio_pb.js";
import { ProductService } from "../gen/customeranalytics/v1/product_pb.js";
import { receiveExport } from "./support/export-readback.js";
import { BASIC_FIXTURE, startTestService, type TestService } from "./support/test-service.js";

// The write path against the embedded DuckDB source of truth, through a real server: each
// resource's create → get → list → update → stale update → delete → get, request ids, the
// overlay until a sync, and the data surviving a restart that came before any sync.

let running: TestService;
let transport: Transport;
const env = { SOURCE: "embedded", LOCAL_SOURCE_DIR: BASIC_FIXTURE, SYNC_AFTER_WRITES: "off" };

beforeAll(async () => {
  running = await startTestService(env);
  transport = createConnectTransport({ baseUrl: running.baseUrl, httpVersion: "1.1" });
});

afterAll(async () => {
  await running?.close();
});

const failure = (err: unknown) => ConnectError.from(err);
const codeOf = async (call: Promise<unknown>) =>
  call.then(
    () => "ok",
    (err: unknown) => Code[failure(err).code],
  );

describe("customers", () => {
  it("create, get, list, update, stale update, delete, get", async () => {
    const client = createClient(CustomerService, transport);
    const created = await client.createCustomer({
      customer: {
        customerId: "W100",
        customerName: "Walter",
        customerType: "retail",
        region: "West",
        registrationDate: "2024-02-29",
        status: "active",
      },
    });
    expect(created.etag).toMatch(/^[0-9a-f]{32}$/);
    const got = await client.getCustomer({ customerId: "W100" });
    expect(got.customer).toMatchObject({ customerName: "Walter", etag: created.etag });
    expect(got.meta?.includesPendingWrites).toBe(true);
    const listed = await client.listCustomers({ region: "west" });
    expect(listed.customers.map((c) => c.customerId)).toEqual(["W100"]);

    const updated = await client.updateCustomer({
      customer: { customerId: "W100", region: "East", etag: created.etag },
      updateMask: { paths: ["region"] },
    });
    expect(updated).toMatchObject({ region: "East", customerName: "Walter" });
    expect(updated.etag).not.toBe(created.etag);
    expect((await client.listCustomers({ region: "West" })).customers).toEqual([]);

    const stale = await client
      .updateCustomer({ customer: { customerId: "W100", region: "North", etag: created.etag } })
      .catch(failure);
    expect(stale).toBeInstanceOf(ConnectError);
    expect((stale as ConnectError).code).toBe(Code.Aborted);
    expect((stale as ConnectError).rawMessage).toContain("customer.etag");

    expect(await codeOf(client.deleteCustomer({ customerId: "W100", etag: created.etag }))).toBe(
      "Aborted",
    );
    await client.deleteCustomer({ customerId: "W100", etag: updated.etag });
    expect(await codeOf(client.getCustomer({ customerId: "W100" }))).toBe("NotFound");
    expect(await codeOf(client.deleteCustomer({ customerId: "W100" }))).toBe("NotFound");
  });

  it("refuses a duplicate id, a missing required field and a bad mask, naming the field", async () => {
    const client = createClient(CustomerService, transport);
    const dup = await client
      .createCustomer({
        customer: {
          customerId: "C001",
          customerName: "x",
          customerType: "retail",
          region: "r",
          registrationDate: "2020-01-01",
          status: "active",
        },
      })
      .catch(failure);
    expect((dup as ConnectError).code).toBe(Code.AlreadyExists);
    const missing = await client
      .createCustomer({ customer: { customerId: "W101", customerName: "No region" } })
      .catch(failure);
    expect((missing as ConnectError).code).toBe(Code.InvalidArgument);
    expect((missing as ConnectError).rawMessage).toMatch(/^customer\.customer_type is required/);
    const mask = await client
      .updateCustomer({ customer: { customerId: "C001" }, updateMask: { paths: ["customer_id"] } })
      .catch(failure);
    expect((mask as ConnectError).code).toBe(Code.InvalidArgument);
    expect((mask as ConnectError).rawMessage).toContain("update_mask");
    const day = await client
      .updateCustomer({ customer: { customerId: "C001", registrationDate: "2023-02-30" } })
      .catch(failure);
    expect((day as ConnectError).rawMessage).toBe(
      "customer.registration_date is not a calendar date: 2023-02-30",
    );
  });

  it("a customer with holdings is deleted only with force, holdings and all", async () => {
    const customers = createClient(CustomerService, transport);
    const portfolio = createClient(PortfolioService, transport);
    const refused = await customers.deleteCustomer({ customerId: "C003" }).catch(failure);
    expect((refused as ConnectError).code).toBe(Code.FailedPrecondition);
    expect((refused as ConnectError).rawMessage).toContain("force");
    expect((await portfolio.getCustomerPortfolio({ customerId: "C003" })).holdings).toHaveLength(1);
    await customers.deleteCustomer({ customerId: "C003", force: true });
    expect(await codeOf(portfolio.getCustomerPortfolio({ customerId: "C003" }))).toBe("NotFound");
    const products = createClient(ProductService, transport);
    const holders = await products.listProductCustomers({ productId: "P03" });
    expect(holders.holders.map((h) => h.customerId)).toEqual(["C001"]);
  });
});

describe("products", () => {
  it("create, get, list, update, stale update, delete, get", async () => {
    const client = createClient(ProductService, transport);
    const created = await client.createProduct({
      product: {
        productId: "P90",
        productName: "Gold",
        productCategory: "metals",
        productType: "bar",
        launchDate: "2024-01-01",
        status: "active",
      },
    });
    const got = await client.getProduct({ productId: "P90" });
    expect(got.product?.etag).toBe(created.etag);
    expect(got.summary?.relationships).toBe(0);
    const listed = await client.listProducts({ productCategory: "METALS" });
    expect(listed.products.map((p) => p.productId)).toEqual(["P90"]);
    const updated = await client.updateProduct({
      product: { productId: "P90", status: "retired", etag: created.etag },
    });
    expect(updated).toMatchObject({ status: "retired", productName: "Gold" });
    expect(
      await codeOf(client.updateProduct({ product: { productId: "P90", etag: created.etag } })),
    ).toBe("Aborted");
    await client.deleteProduct({ productId: "P90", etag: updated.etag });
    expect(await codeOf(client.getProduct({ productId: "P90" }))).toBe("NotFound");
  });
});

describe("holdings", () => {
  it("create, get, list, update, stale update, delete, get", async () => {
    const portfolio = createClient(PortfolioService, transport);
    const customers = createClient(CustomerService, transport);
    const products = createClient(ProductService, transport);
    const before = await customers.getCustomer({ customerId: "C004" });
    expect(before.summary?.relationships).toBe(0);
    const created = await portfolio.createHolding({
      customerId: "C004",
      holding: {
        relationshipId: "R900",
        productId: "P05",
        relationshipType: "holder",
        startDate: "2024-01-01",
        value: "12.5",
      },
    });
    expect(created).toMatchObject({ value: "12.50", productId: "P05" });
    const held = await portfolio.getCustomerPortfolio({ customerId: "C004" });
    expect(held.holdings.map((h) => [h.relationshipId, h.etag, h.productName])).toEqual([
      ["R900", created.etag, "Old Plan"],
    ]);
    expect(held.totals?.totalValue).toBe("12.50");
    expect(held.meta?.includesPendingWrites).toBe(true);
    const summary = (await customers.getCustomer({ customerId: "C004" })).summary;
    expect(summary).toMatchObject({ relationships: 1, totalValue: "12.50", activeProducts: 1 });
    const holders = await products.listProductCustomers({ productId: "P05" });
    expect(holders.holders.map((h) => h.customerId)).toEqual(["C004"]);

    const ended = await portfolio.updateHolding({
      customerId: "C004",
      holding: { relationshipId: "R900", endDate: "2024-06-30", etag: created.etag },
      updateMask: { paths: ["end_date"] },
    });
    expect(ended).toMatchObject({ endDate: "2024-06-30", value: "12.50" });
    const after = await portfolio.getCustomerPortfolio({ customerId: "C004" });
    expect(after.totals).toMatchObject({ activeHoldings: 0, holdings: 1 });
    expect(
      await codeOf(
        portfolio.updateHolding({
          customerId: "C004",
          holding: { relationshipId: "R900", value: "1", etag: created.etag },
        }),
      ),
    ).toBe("Aborted");
    expect(
      await codeOf(
        portfolio.updateHolding({
          customerId: "C001",
          holding: { relationshipId: "R900", value: "1" },
        }),
      ),
    ).toBe("NotFound");
    await portfolio.deleteHolding({ relationshipId: "R900", etag: ended.etag });
    expect((await portfolio.getCustomerPortfolio({ customerId: "C004" })).holdings).toEqual([]);
    expect(await codeOf(portfolio.deleteHolding({ relationshipId: "R900" }))).toBe("NotFound");
  });

  it("refuses a holding whose customer or product does not exist", async () => {
    const portfolio = createClient(PortfolioService, transport);
    const holding = { relationshipId: "R901", productId: "P01", relationshipType: "holder" };
    const full = { ...holding, startDate: "2024-01-01", value: "1.00" };
    const noCustomer = await portfolio
      .createHolding({ customerId: "NOPE", holding: full })
      .catch(failure);
    expect((noCustomer as ConnectError).code).toBe(Code.FailedPrecondition);
    expect((noCustomer as ConnectError).rawMessage).toContain("customer_id");
    const noProduct = await portfolio
      .createHolding({ customerId: "C001", holding: { ...full, productId: "NOPE" } })
      .catch(failure);
    expect((noProduct as ConnectError).code).toBe(Code.FailedPrecondition);
    expect((noProduct as ConnectError).rawMessage).toContain("holding.product_id");
  });
});

describe("request ids", () => {
  it("the same id and body returns the first result; another body is INVALID_ARGUMENT", async () => {
    const client = createClient(CustomerService, transport);
    const requestId = "5f0c4a36-7c8e-4a8e-9d55-0b8f2a1c9e01";
    const customer = {
      customerId: "W200",
      customerName: "Retry",
      customerType: "retail",
      region: "West",
      registrationDate: "2024-01-01",
      status: "active",
    };
    const first = await client.createCustomer({ customer, requestId });
    const again = await client.createCustomer({ customer, requestId });
    expect(again).toEqual(first);
    const other = await client
      .createCustomer({ customer: { ...customer, customerName: "Other" }, requestId })
      .catch(failure);
    expect((other as ConnectError).code).toBe(Code.InvalidArgument);
    expect((other as ConnectError).rawMessage).toContain("request_id");
    expect(await codeOf(client.createCustomer({ customer }))).toBe("AlreadyExists");
  });

  it("two concurrent updates with the same etag: exactly one wins", async () => {
    const client = createClient(CustomerService, createGrpcTransport({ baseUrl: running.baseUrl }));
    const { customer } = await client.getCustomer({ customerId: "C005" });
    const etag = customer?.etag ?? "";
    const outcomes = await Promise.all(
      ["One", "Two", "Three"].map((name) =>
        codeOf(
          client.updateCustomer({ customer: { customerId: "C005", customerName: name, etag } }),
        ),
      ),
    );
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "Aborted")).toHaveLength(2);
  });
});

describe("the overlay until a sync, and after", () => {
  it("answers the same with the overlay as the snapshot does once it holds the writes", async () => {
    const customers = createClient(CustomerService, transport);
    const portfolio = createClient(PortfolioService, transport);
    await portfolio.createHolding({
      customerId: "C002",
      holding: {
        relationshipId: "R950",
        productId: "P02",
        relationshipType: "holder",
        startDate: "2023-01-01",
        value: "0.10",
      },
    });
    const overlaid = await customers.getCustomer({ customerId: "C002" });
    const overlaidPortfolio = await portfolio.getCustomerPortfolio({ customerId: "C002" });
    expect(overlaid.meta).toMatchObject({ includesPendingWrites: true });
    expect(overlaid.meta?.pendingWrites).toBeGreaterThan(0);
    expect(overlaid.summary).toMatchObject({ relationships: 4, totalValue: "250949.85" });
    const exports = createClient(ExportService, transport);
    const request = {
      table: "customer_products",
      format: ExportFormat.CSV,
      filters: [{ column: "customer_id", values: ["C002"] }],
    };
    const exported = await receiveExport(exports, request);
    expect(exported.info.meta?.includesPendingWrites).toBe(true);
    expect(Buffer.from(exported.bytes).toString()).toContain("R950,C002,P02");
    await running.service.syncer.sync("request");
    const afterSync = await receiveExport(exports, request);
    expect(afterSync.info.meta?.includesPendingWrites).toBe(false);
    expect(Buffer.from(afterSync.bytes).toString()).toBe(Buffer.from(exported.bytes).toString());
    const synced = await customers.getCustomer({ customerId: "C002" });
    const syncedPortfolio = await portfolio.getCustomerPortfolio({ customerId: "C002" });
    expect(synced.meta).toMatchObject({ includesPendingWrites: false, pendingWrites: 0 });
    expect(synced.summary).toEqual(overlaid.summary);
    expect(synced.customer).toEqual(overlaid.customer);
    expect(syncedPortfolio.holdings).toEqual(overlaidPortfolio.holdings);
    expect(syncedPortfolio.totals).toEqual(overlaidPortfolio.totals);
  });

  it("keeps writes made before any sync across a restart", async () => {
    const customers = createClient(CustomerService, transport);
    await customers.updateCustomer({ customer: { customerId: "C001", region: "Far North" } });
    await running.close({ keepData: true });
    running = await startTestService(env, running.dataDir);
    transport = createConnectTransport({ baseUrl: running.baseUrl, httpVersion: "1.1" });
    const after = await createClient(CustomerService, transport).getCustomer({
      customerId: "C001",
    });
    expect(after.customer?.region).toBe("Far North");
    expect(after.meta?.includesPendingWrites).toBe(false);
  });
});

describe("a read-only source", () => {
  it("refuses writes with FAILED_PRECONDITION naming the source", async () => {
    const files = await startTestService();
    try {
      const client = createClient(
        CustomerService,
        createConnectTransport({ baseUrl: files.baseUrl, httpVersion: "1.1" }),
      );
      const err = await client
        .updateCustomer({ customer: { customerId: "C001", region: "x" } })
        .catch(failure);
      expect((err as ConnectError).code).toBe(Code.FailedPrecondition);
      expect((err as ConnectError).rawMessage).toContain(`local:${BASIC_FIXTURE}`);
    } finally {
      await files.close();
    }
  });
});

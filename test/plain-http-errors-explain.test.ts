import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { startTestService, type TestService } from "./support/test-service.js";

// What a person with curl gets wrong, answered in words: typos in Connect JSON field and enum
// names are INVALID_ARGUMENT naming the field (not silently an empty field or the default
// enum), a Duration the API cannot represent names read_options.max_staleness, a wrong
// service or method name is a Connect error with a "did you mean" and the list, and a wrong
// or missing content type says which ones are accepted.

const CUSTOMERS = "/customeranalytics.v1.CustomerService";
const GET_CUSTOMER = `${CUSTOMERS}/GetCustomer`;
const GET_TRENDS = "/customeranalytics.v1.TrendService/GetTrends";

let running: TestService;

beforeAll(async () => {
  running = await startTestService();
});

afterAll(async () => {
  await running?.close();
});

async function call(
  path: string,
  init: { method?: string; contentType?: string | null; body?: string } = {},
): Promise<{ status: number; code: string; message: string }> {
  const headers: Record<string, string> = {};
  if (init.contentType !== null) headers["content-type"] = init.contentType ?? "application/json";
  const res = await fetch(`${running.baseUrl}${path}`, {
    method: init.method ?? "POST",
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await res.text();
  expect(res.headers.get("content-type"), text).toBe("application/json");
  expect(text).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
  const body = JSON.parse(text) as { code: string; message: string };
  return { status: res.status, ...body };
}

describe("Connect JSON is read strictly", () => {
  it.each([
    ["a field in the wrong case", GET_CUSTOMER, { customerID: "C002" }, "customerID", "customerId"],
    ["a misspelt field", GET_CUSTOMER, { custmerId: "C002" }, "custmerId", "customerId"],
    [
      "a nested unknown field",
      GET_CUSTOMER,
      { customerId: "C002", readOptions: { freshnes: "FRESHNESS_CACHE_ONLY" } },
      "read_options.freshnes",
      "freshness",
    ],
  ])("refuses %s, naming it and the field it resembles", async (_, path, body, field, near) => {
    const res = await call(path, { body: JSON.stringify(body) });
    expect(res.status).toBe(400);
    expect(res.code).toBe("invalid_argument");
    expect(res.message).toContain(`${field}: unknown field`);
    expect(res.message).toContain(`did you mean ${near}?`);
  });

  it.each([
    ["granularity", { granularity: "QUARTER" }, "TREND_GRANULARITY_QUARTER"],
    ["metrics[0]", { metrics: ["REVENUE"] }, "TREND_METRIC_REVENUE"],
    ["group_by", { groupBy: "NOPE" }, "TREND_GROUP_BY_PRODUCT_CATEGORY"],
  ])("refuses an unknown enum name in %s, listing the valid names", async (field, body, valid) => {
    const res = await call(GET_TRENDS, { body: JSON.stringify(body) });
    expect(res.status).toBe(400);
    expect(res.code).toBe("invalid_argument");
    expect(res.message).toContain(`${field}: `);
    expect(res.message).toContain(valid);
  });

  it("still takes the full enum names and the proto field names", async () => {
    const trends = await fetch(`${running.baseUrl}${GET_TRENDS}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ granularity: "TREND_GRANULARITY_QUARTER" }),
    });
    expect(trends.status).toBe(200);
    const customer = await fetch(`${running.baseUrl}${GET_CUSTOMER}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ customer_id: "C002", read_options: { max_staleness: "3600s" } }),
    });
    expect(customer.status).toBe(200);
  });

  it.each(["1.0000000001s", "315576000001s", "1e3s"])(
    "refuses max_staleness %s naming read_options.max_staleness",
    async (value) => {
      const body = JSON.stringify({ customerId: "C002", readOptions: { maxStaleness: value } });
      const res = await call(GET_CUSTOMER, { body });
      expect(res.code).toBe("invalid_argument");
      expect(res.message).toContain("read_options.max_staleness");
      expect(res.message).not.toContain("Invalid count value");
    },
  );
});

describe("requests that reach no RPC are answered in words", () => {
  it("names the nearest method and lists the service's methods", async () => {
    const res = await call(`${CUSTOMERS}/GetCustomers`, { body: "{}" });
    expect(res.status).toBe(404);
    expect(res.code).toBe("unimplemented");
    expect(res.message).toContain(
      "no method CustomerService/GetCustomers; did you mean GetCustomer?",
    );
    expect(res.message).toContain("Methods: GetCustomer, BatchGetCustomers, ListCustomers");
  });

  it("names the nearest service and lists the services", async () => {
    const res = await call("/customeranalytics.v1.CustomerServic/GetCustomer", { body: "{}" });
    expect(res.status).toBe(404);
    expect(res.code).toBe("unimplemented");
    expect(res.message).toContain("did you mean customeranalytics.v1.CustomerService?");
    expect(res.message).toContain("customeranalytics.v1.TrendService");
  });

  it("tells a gRPC client the method is unimplemented, with the same words", async () => {
    const transport = createGrpcTransport({ baseUrl: running.baseUrl });
    const wrong = { ...CustomerService.method.getCustomer, name: "GetCustomerz" };
    const err = await transport
      .unary(wrong, undefined, 5_000, undefined, { customerId: "C002" })
      .then(
        () => undefined,
        (e: unknown) => ConnectError.from(e),
      );
    expect(err?.code).toBe(Code.Unimplemented);
    expect(err?.rawMessage).toContain("did you mean GetCustomer?");
    // The typed client still works.
    const client = createClient(CustomerService, transport);
    expect((await client.getCustomer({ customerId: "C002" })).customer?.customerId).toBe("C002");
  });

  it("says which content types a POST takes when it has none or a wrong one", async () => {
    for (const contentType of [null, "text/plain"]) {
      const res = await call(GET_CUSTOMER, { contentType, body: "{}" });
      expect(res.status).toBe(415);
      expect(res.message).toContain("application/json");
      expect(res.message).toContain("application/grpc");
    }
  });

  it("says how to GET an RPC", async () => {
    const res = await call(GET_CUSTOMER, { method: "GET", contentType: null });
    expect(res.status).toBe(415);
    expect(res.message).toContain("?encoding=json&message=");
  });

  it("points a server stream posted as plain JSON at a streaming client", async () => {
    const res = await call("/customeranalytics.v1.ExportService/ExportTable", { body: "{}" });
    expect(res.status).toBe(415);
    expect(res.message).toContain("application/connect+json");
    expect(res.message).toContain("buf curl");
  });
});

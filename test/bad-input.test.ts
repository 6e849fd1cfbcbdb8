import { createHmac } from "node:crypto";
import {
  type DescMessage,
  type DescMethodUnary,
  fromJson,
  type JsonObject,
} from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { PortfolioService } from "../gen/customeranalytics/v1/portfolio_pb.js";
import { ProductService } from "../gen/customeranalytics/v1/product_pb.js";
import { startTestService, type TestService } from "./support/test-service.js";

// Every request rule, in the proto (protovalidate) or in the query layer (calendar dates, page
// tokens, ranges), must answer INVALID_ARGUMENT with a message that names the field, and never
// INTERNAL; the Connect JSON error body must not carry a stack trace.

type Method = DescMethodUnary<DescMessage, DescMessage>;

const getCustomer = CustomerService.method.getCustomer as Method;
const batchGetCustomers = CustomerService.method.batchGetCustomers as Method;
const listCustomers = CustomerService.method.listCustomers as Method;
const getProduct = ProductService.method.getProduct as Method;
const listProducts = ProductService.method.listProducts as Method;
const listProductCustomers = ProductService.method.listProductCustomers as Method;
const getPortfolio = PortfolioService.method.getCustomerPortfolio as Method;

let running: TestService;
let transport: Transport;

/** Page tokens issued by the service, fetched once the server is up. */
const tokens = {
  customers: "",
  customersNorth: "",
  products: "",
  productCustomers: "",
  portfolio: "",
};

beforeAll(async () => {
  running = await startTestService();
  transport = createConnectTransport({ baseUrl: running.baseUrl, httpVersion: "1.1" });
  const customers = createClient(CustomerService, transport);
  const products = createClient(ProductService, transport);
  const portfolios = createClient(PortfolioService, transport);
  tokens.customers = (await customers.listCustomers({ pageSize: 1 })).nextPageToken;
  tokens.customersNorth = (
    await customers.listCustomers({ pageSize: 1, region: "North" })
  ).nextPageToken;
  tokens.products = (await products.listProducts({ pageSize: 1 })).nextPageToken;
  tokens.productCustomers = (
    await products.listProductCustomers({ productId: "P01", pageSize: 1 })
  ).nextPageToken;
  tokens.portfolio = (
    await portfolios.getCustomerPortfolio({ customerId: "C001", pageSize: 1 })
  ).nextPageToken;
  for (const [name, token] of Object.entries(tokens)) {
    if (token === "") throw new Error(`no ${name} page token from the fixture`);
  }
});

afterAll(async () => {
  await running?.close();
});

/** A token with one character replaced, in the middle of its body. */
function flip(token: string): string {
  const at = Math.floor(token.indexOf(".") / 2);
  const swapped = token[at] === "A" ? "B" : "A";
  return token.slice(0, at) + swapped + token.slice(at + 1);
}

/**
 * A token whose seal is right but whose body is not JSON. The seal key is in the source (tokens
 * are opaque, not secret), so anyone can make one; it must still be refused, not crash.
 */
function sealedGarbage(): string {
  const body = Buffer.from("not json").toString("base64url");
  const mac = createHmac("sha256", "customeranalytics.v1/page-token")
    .update(body)
    .digest("base64url")
    .slice(0, 22);
  return `${body}.${mac}`;
}

interface Case {
  readonly name: string;
  readonly method: Method;
  readonly request: () => JsonObject;
  /** The field the message must name, as the proto spells it. */
  readonly field: string;
}

const id51 = "x".repeat(51);
const ids = (n: number) => Array.from({ length: n }, (_, i) => `C${i}`);

/** `read_options` rules, checked on every read RPC through one representative request each. */
function readOptionCases(method: Method, base: JsonObject, rpc: string): Case[] {
  return [
    {
      name: `${rpc}: freshness out of range`,
      method,
      request: () => ({ ...base, readOptions: { freshness: 99 } }),
      field: "read_options.freshness",
    },
    {
      name: `${rpc}: negative max_staleness`,
      method,
      request: () => ({ ...base, readOptions: { maxStaleness: "-1s" } }),
      field: "read_options.max_staleness",
    },
    {
      name: `${rpc}: max_staleness over a year`,
      method,
      request: () => ({ ...base, readOptions: { maxStaleness: "31536001s" } }),
      field: "read_options.max_staleness",
    },
  ];
}

/** page_size and page_token rules shared by every listing. */
function pagingCases(
  method: Method,
  base: JsonObject,
  rpc: string,
  ownToken: () => string,
): Case[] {
  return [
    { name: `${rpc}: page_size -1`, method, request: () => ({ ...base, pageSize: -1 }) },
    { name: `${rpc}: page_size 1001`, method, request: () => ({ ...base, pageSize: 1001 }) },
    {
      name: `${rpc}: page_token over 1024 chars`,
      method,
      request: () => ({ ...base, pageToken: "a".repeat(1025) }),
    },
    {
      name: `${rpc}: tampered page_token`,
      method,
      request: () => ({ ...base, pageToken: flip(ownToken()) }),
    },
    {
      name: `${rpc}: truncated page_token`,
      method,
      request: () => ({ ...base, pageToken: ownToken().slice(0, -3) }),
    },
    { name: `${rpc}: junk page_token`, method, request: () => ({ ...base, pageToken: "abc" }) },
    {
      name: `${rpc}: sealed page_token that is not JSON`,
      method,
      request: () => ({ ...base, pageToken: sealedGarbage() }),
    },
  ].map((c) => ({
    ...c,
    field: c.name.includes("page_size") ? "page_size" : "page_token",
  }));
}

const CASES: Case[] = [
  // CustomerService
  { name: "GetCustomer: empty id", method: getCustomer, request: () => ({}), field: "customer_id" },
  {
    name: "GetCustomer: 51-char id",
    method: getCustomer,
    request: () => ({ customerId: id51 }),
    field: "customer_id",
  },
  ...readOptionCases(getCustomer, { customerId: "C001" }, "GetCustomer"),
  {
    name: "BatchGetCustomers: empty batch",
    method: batchGetCustomers,
    request: () => ({ customerIds: [] }),
    field: "customer_ids",
  },
  {
    name: "BatchGetCustomers: 1001 ids",
    method: batchGetCustomers,
    request: () => ({ customerIds: ids(1001) }),
    field: "customer_ids",
  },
  {
    name: "BatchGetCustomers: an empty id",
    method: batchGetCustomers,
    request: () => ({ customerIds: ["C001", ""] }),
    field: "customer_ids[1]",
  },
  {
    name: "BatchGetCustomers: a 51-char id",
    method: batchGetCustomers,
    request: () => ({ customerIds: [id51] }),
    field: "customer_ids[0]",
  },
  ...readOptionCases(batchGetCustomers, { customerIds: ["C001"] }, "BatchGetCustomers"),
  {
    name: "ListCustomers: region over 100 chars",
    method: listCustomers,
    request: () => ({ region: "r".repeat(101) }),
    field: "region",
  },
  {
    name: "ListCustomers: customer_type over 50 chars",
    method: listCustomers,
    request: () => ({ customerType: "t".repeat(51) }),
    field: "customer_type",
  },
  {
    name: "ListCustomers: status over 20 chars",
    method: listCustomers,
    request: () => ({ status: "s".repeat(21) }),
    field: "status",
  },
  {
    name: "ListCustomers: name_contains over 255 chars",
    method: listCustomers,
    request: () => ({ nameContains: "n".repeat(256) }),
    field: "name_contains",
  },
  {
    name: "ListCustomers: registered_from shape 2024-1-1",
    method: listCustomers,
    request: () => ({ registeredFrom: "2024-1-1" }),
    field: "registered_from",
  },
  {
    name: "ListCustomers: registered_to shape 2024/01/01",
    method: listCustomers,
    request: () => ({ registeredTo: "2024/01/01" }),
    field: "registered_to",
  },
  {
    name: "ListCustomers: registered_from impossible 2024-02-30",
    method: listCustomers,
    request: () => ({ registeredFrom: "2024-02-30" }),
    field: "registered_from",
  },
  {
    name: "ListCustomers: registered_to impossible 2023-02-29",
    method: listCustomers,
    request: () => ({ registeredTo: "2023-02-29" }),
    field: "registered_to",
  },
  {
    name: "ListCustomers: inverted registration range",
    method: listCustomers,
    request: () => ({ registeredFrom: "2024-02-01", registeredTo: "2024-01-01" }),
    field: "registered_from",
  },
  ...pagingCases(listCustomers, {}, "ListCustomers", () => tokens.customers),
  {
    name: "ListCustomers: a ListProducts token (foreign)",
    method: listCustomers,
    request: () => ({ pageToken: tokens.products }),
    field: "page_token",
  },
  {
    name: "ListCustomers: a portfolio token (foreign, other key shape)",
    method: listCustomers,
    request: () => ({ pageToken: tokens.portfolio }),
    field: "page_token",
  },
  {
    name: "ListCustomers: a token replayed with other filters",
    method: listCustomers,
    request: () => ({ region: "South", pageToken: tokens.customers }),
    field: "page_token",
  },
  {
    name: "ListCustomers: a filtered token replayed without its filter",
    method: listCustomers,
    request: () => ({ pageToken: tokens.customersNorth }),
    field: "page_token",
  },
  ...readOptionCases(listCustomers, {}, "ListCustomers"),
  // ProductService
  { name: "GetProduct: empty id", method: getProduct, request: () => ({}), field: "product_id" },
  {
    name: "GetProduct: 51-char id",
    method: getProduct,
    request: () => ({ productId: id51 }),
    field: "product_id",
  },
  ...readOptionCases(getProduct, { productId: "P01" }, "GetProduct"),
  {
    name: "ListProducts: product_category over 100 chars",
    method: listProducts,
    request: () => ({ productCategory: "c".repeat(101) }),
    field: "product_category",
  },
  {
    name: "ListProducts: product_type over 50 chars",
    method: listProducts,
    request: () => ({ productType: "t".repeat(51) }),
    field: "product_type",
  },
  {
    name: "ListProducts: status over 20 chars",
    method: listProducts,
    request: () => ({ status: "s".repeat(21) }),
    field: "status",
  },
  ...pagingCases(listProducts, {}, "ListProducts", () => tokens.products),
  {
    name: "ListProducts: a ListCustomers token (foreign)",
    method: listProducts,
    request: () => ({ pageToken: tokens.customers }),
    field: "page_token",
  },
  {
    name: "ListProducts: a token replayed with other filters",
    method: listProducts,
    request: () => ({ productCategory: "banking", pageToken: tokens.products }),
    field: "page_token",
  },
  ...readOptionCases(listProducts, {}, "ListProducts"),
  {
    name: "ListProductCustomers: empty id",
    method: listProductCustomers,
    request: () => ({}),
    field: "product_id",
  },
  {
    name: "ListProductCustomers: 51-char id",
    method: listProductCustomers,
    request: () => ({ productId: id51 }),
    field: "product_id",
  },
  ...pagingCases(
    listProductCustomers,
    { productId: "P01" },
    "ListProductCustomers",
    () => tokens.productCustomers,
  ),
  {
    name: "ListProductCustomers: a token of another product",
    method: listProductCustomers,
    request: () => ({ productId: "P02", pageToken: tokens.productCustomers }),
    field: "page_token",
  },
  {
    name: "ListProductCustomers: a token replayed with active_only",
    method: listProductCustomers,
    request: () => ({ productId: "P01", activeOnly: true, pageToken: tokens.productCustomers }),
    field: "page_token",
  },
  ...readOptionCases(listProductCustomers, { productId: "P01" }, "ListProductCustomers"),
  // PortfolioService
  {
    name: "GetCustomerPortfolio: empty id",
    method: getPortfolio,
    request: () => ({}),
    field: "customer_id",
  },
  {
    name: "GetCustomerPortfolio: 51-char id",
    method: getPortfolio,
    request: () => ({ customerId: id51 }),
    field: "customer_id",
  },
  {
    name: "GetCustomerPortfolio: as_of shape 2024-1-1",
    method: getPortfolio,
    request: () => ({ customerId: "C001", asOf: "2024-1-1" }),
    field: "as_of",
  },
  {
    name: "GetCustomerPortfolio: as_of impossible 2024-02-30",
    method: getPortfolio,
    request: () => ({ customerId: "C001", asOf: "2024-02-30" }),
    field: "as_of",
  },
  {
    name: "GetCustomerPortfolio: as_of impossible 2024-13-01",
    method: getPortfolio,
    request: () => ({ customerId: "C001", asOf: "2024-13-01" }),
    field: "as_of",
  },
  ...pagingCases(
    getPortfolio,
    { customerId: "C001" },
    "GetCustomerPortfolio",
    () => tokens.portfolio,
  ),
  {
    name: "GetCustomerPortfolio: a token of another customer",
    method: getPortfolio,
    request: () => ({ customerId: "C002", pageToken: tokens.portfolio }),
    field: "page_token",
  },
  {
    name: "GetCustomerPortfolio: a token replayed with another as_of",
    method: getPortfolio,
    request: () => ({ customerId: "C001", asOf: "2020-06-01", pageToken: tokens.portfolio }),
    field: "page_token",
  },
  {
    name: "GetCustomerPortfolio: a ListCustomers token (foreign)",
    method: getPortfolio,
    request: () => ({ customerId: "C001", pageToken: tokens.customers }),
    field: "page_token",
  },
  ...readOptionCases(getPortfolio, { customerId: "C001" }, "GetCustomerPortfolio"),
];

/** Calls `method` through the Connect transport and returns the error it fails with. */
async function failure(method: Method, request: JsonObject): Promise<ConnectError> {
  const input = fromJson(method.input, request);
  try {
    await transport.unary(method, undefined, 5_000, undefined, input);
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error(`${method.parent.typeName}/${method.name} succeeded`);
}

/** POSTs the same request as Connect JSON over HTTP/1.1 and returns status and body text. */
async function rawJson(method: Method, request: JsonObject): Promise<[number, string]> {
  const res = await fetch(`${running.baseUrl}/${method.parent.typeName}/${method.name}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(request),
    signal: AbortSignal.timeout(5_000),
  });
  return [res.status, await res.text()];
}

describe("bad input is INVALID_ARGUMENT naming the field", () => {
  it.each(CASES.map((c) => [c.name, c] as const))("%s", async (_, c) => {
    const err = await failure(c.method, c.request());
    expect(err.code, err.message).not.toBe(Code.Internal);
    expect(err.code, err.message).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toContain(c.field);

    const [status, body] = await rawJson(c.method, c.request());
    expect(status).toBe(400);
    const json = JSON.parse(body) as { code: string; message: string };
    expect(json.code).toBe("invalid_argument");
    expect(json.message).toContain(c.field);
    expect(body).not.toMatch(/\n\s+at /);
    expect(body).not.toMatch(/\.ts:\d+|node_modules|\/src\//);
  });

  it("covers each RPC with a rule", () => {
    const covered = new Set(CASES.map((c) => c.method.name));
    expect([...covered].sort()).toEqual(
      [
        "BatchGetCustomers",
        "GetCustomer",
        "GetCustomerPortfolio",
        "GetProduct",
        "ListCustomers",
        "ListProductCustomers",
        "ListProducts",
      ].sort(),
    );
  });
});

describe("unknown ids are NOT_FOUND", () => {
  const unknown: [string, Method, JsonObject, string][] = [
    ["GetCustomer", getCustomer, { customerId: "C999" }, "C999"],
    ["GetProduct", getProduct, { productId: "P99" }, "P99"],
    ["ListProductCustomers", listProductCustomers, { productId: "P99" }, "P99"],
    ["GetCustomerPortfolio", getPortfolio, { customerId: "C999" }, "C999"],
  ];

  it.each(unknown)("%s", async (_, method, request, id) => {
    const err = await failure(method, request);
    expect(err.code, err.message).toBe(Code.NotFound);
    expect(err.rawMessage).toContain(id);
    const [status, body] = await rawJson(method, request);
    expect(status).toBe(404);
    expect(JSON.parse(body)).toMatchObject({ code: "not_found" });
    expect(body).not.toMatch(/\n\s+at /);
  });
});

import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService, type TestService } from "./support/test-service.js";

// A plain @grpc/grpc-js client, as another Node service would use it: stubs built at run time
// from the proto files, plaintext h2c, no Connect code on the client side.

const PROTO_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: ["proto", "proto/third_party/protovalidate", "proto/third_party/grpc"],
};

type Unary = (
  request: object,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, response?: Record<string, unknown>) => void,
) => grpc.ClientUnaryCall;

interface CustomerClient extends grpc.Client {
  getCustomer: Unary;
}

interface HealthClient extends grpc.Client {
  check: Unary;
  watch(request: object, options?: grpc.CallOptions): grpc.ClientReadableStream<{ status: string }>;
}

let running: TestService;
let customers: CustomerClient;
let health: HealthClient;

beforeAll(async () => {
  running = await startTestService();
  const definition = protoLoader.loadSync(
    ["customeranalytics/v1/customer.proto", "grpc/health/v1/health.proto"],
    PROTO_OPTIONS,
  );
  const loaded = grpc.loadPackageDefinition(definition);
  const target = `127.0.0.1:${running.port}`;
  const credentials = grpc.credentials.createInsecure();
  const Customer = lookup(loaded, "customeranalytics.v1.CustomerService");
  const Health = lookup(loaded, "grpc.health.v1.Health");
  customers = new Customer(target, credentials) as unknown as CustomerClient;
  health = new Health(target, credentials) as unknown as HealthClient;
});

afterAll(async () => {
  customers?.close();
  health?.close();
  await running?.close();
});

/** Finds a service constructor in the loaded package tree by its full name. */
function lookup(root: grpc.GrpcObject, name: string): grpc.ServiceClientConstructor {
  let node: unknown = root;
  for (const part of name.split(".")) node = (node as Record<string, unknown>)[part];
  if (typeof node !== "function") throw new Error(`${name} is not in the loaded protos`);
  return node as grpc.ServiceClientConstructor;
}

/** Calls a unary method and resolves with its response or its ServiceError. */
function call(
  method: Unary,
  client: grpc.Client,
  request: object,
  options: grpc.CallOptions = { deadline: Date.now() + 5_000 },
): Promise<{ response?: Record<string, unknown>; error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    method.call(client, request, new grpc.Metadata(), options, (error, response) => {
      resolve(error === null ? { ...(response && { response }) } : { error });
    });
  });
}

describe("CustomerService over grpc-js", () => {
  it("returns the hand-worked answer for C002", async () => {
    const { response, error } = await call(customers.getCustomer, customers, {
      customerId: "C002",
    });
    expect(error).toBeUndefined();
    expect(response?.customer).toMatchObject({
      customerId: "C002",
      customerName: "Bob & Co",
      customerType: "wholesale",
      region: "South",
      registrationDate: "2021-06-01",
      status: "active",
    });
    expect(response?.summary).toMatchObject({
      activeProducts: 2,
      totalProducts: 2,
      relationships: 3,
      totalValue: "250949.75",
      totalValueNumber: 250949.75,
      firstStartDate: "2021-06-02",
      lastStartDate: "2022-07-01",
    });
    expect(response?.meta).toMatchObject({
      source: "DATA_SOURCE_SNAPSHOT",
      snapshotId: running.service.store.live?.id,
    });
  });

  it("reports NOT_FOUND for an unknown id", async () => {
    const { error } = await call(customers.getCustomer, customers, { customerId: "C999" });
    expect(error?.code).toBe(grpc.status.NOT_FOUND);
    expect(error?.details).toContain("C999");
  });

  it("reports INVALID_ARGUMENT naming customer_id for an empty id", async () => {
    const { error } = await call(customers.getCustomer, customers, { customerId: "" });
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    // grpc-js decodes grpc-message with decodeURI, which leaves ":" as %3A (see the notes, §6).
    const details = decodeURIComponent(error?.details ?? "");
    expect(details).toMatch(/^customer_id: /);
    expect(details).toContain("[string.min_len]");
  });

  it("reports DEADLINE_EXCEEDED for a deadline already in the past", async () => {
    // No RPC here is slow on the fixture, so the deadline has passed before the call starts.
    const { error } = await call(
      customers.getCustomer,
      customers,
      { customerId: "C002" },
      { deadline: Date.now() - 1_000 },
    );
    expect(error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
  });
});

describe("grpc.health.v1.Health over grpc-js", () => {
  it("Check of the whole server is SERVING", async () => {
    const { response, error } = await call(health.check, health, { service: "" });
    expect(error).toBeUndefined();
    expect(response?.status).toBe("SERVING");
  });

  it("Watch sends SERVING first", async () => {
    const stream = health.watch({ service: "" }, { deadline: Date.now() + 5_000 });
    const first = await new Promise<{ status: string }>((resolve, reject) => {
      stream.once("data", resolve);
      stream.once("error", reject);
    });
    expect(first.status).toBe("SERVING");
    const ended = new Promise<grpc.ServiceError | undefined>((resolve) => {
      stream.once("error", (err: grpc.ServiceError) => resolve(err));
      stream.once("end", () => resolve(undefined));
    });
    stream.cancel();
    expect((await ended)?.code).toBe(grpc.status.CANCELLED);
  });
});

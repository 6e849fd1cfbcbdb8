import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICES as API_SERVICES } from "../src/server/server.js";
import { startTestService, type TestService } from "./support/test-service.js";

// People debug the service with `buf curl` and no proto files: everything they need must come
// from gRPC server reflection, v1 and v1alpha, including validate.proto for error details.

const BUF = fileURLToPath(new URL("../node_modules/.bin/buf", import.meta.url));
const TIMEOUT_MS = 15_000;

let running: TestService;

beforeAll(async () => {
  running = await startTestService();
});

afterAll(async () => {
  await running?.close();
});

interface BufResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `buf curl --protocol grpc --http2-prior-knowledge ...args`; never rejects. */
function bufCurl(...args: string[]): Promise<BufResult> {
  return new Promise((resolve) => {
    execFile(
      BUF,
      ["curl", "--protocol", "grpc", "--http2-prior-knowledge", ...args],
      { timeout: TIMEOUT_MS },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Every service the server registers, by the descriptors it registers them with. */
const SERVICES = [
  ...API_SERVICES.map((s) => s.typeName),
  "grpc.health.v1.Health",
  "grpc.reflection.v1.ServerReflection",
  "grpc.reflection.v1alpha.ServerReflection",
].sort();

const METHODS = [
  ...API_SERVICES.flatMap((s) => s.methods.map((m) => `${s.typeName}/${m.name}`)),
  "grpc.health.v1.Health/Check",
  "grpc.health.v1.Health/List",
  "grpc.health.v1.Health/Watch",
  "grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
  "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
].sort();

describe("listing services by reflection", () => {
  it("lists every service with reflection v1", async () => {
    const { code, stdout, stderr } = await bufCurl(
      "--reflect-protocol",
      "grpc-v1",
      "--list-services",
      running.baseUrl,
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.trim().split("\n").sort()).toEqual(SERVICES);
  });

  it("lists every service with reflection v1alpha", async () => {
    const { code, stdout } = await bufCurl(
      "--reflect-protocol",
      "grpc-v1alpha",
      "--list-services",
      running.baseUrl,
    );
    expect(code).toBe(0);
    expect(stdout.trim().split("\n").sort()).toEqual(SERVICES);
  });

  it("lists every method, reflection and health included", async () => {
    const { code, stdout } = await bufCurl("--list-methods", running.baseUrl);
    expect(code).toBe(0);
    expect(stdout.trim().split("\n").sort()).toEqual(METHODS);
  });
});

describe("calling without proto files", () => {
  it("GetCustomer returns the customer and totals", async () => {
    const { code, stdout, stderr } = await bufCurl(
      "-d",
      '{"customer_id":"C002"}',
      `${running.baseUrl}/customeranalytics.v1.CustomerService/GetCustomer`,
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const body = JSON.parse(stdout) as {
      customer: { customerId: string; customerName: string };
      summary: { totalValue: string; relationships: number };
      meta: { source: string };
    };
    expect(body.customer).toMatchObject({ customerId: "C002", customerName: "Bob & Co" });
    expect(body.summary).toMatchObject({ totalValue: "250949.75", relationships: 3 });
    expect(body.meta.source).toBe("DATA_SOURCE_SNAPSHOT");
  });

  it("Health Check answers SERVING", async () => {
    const { code, stdout } = await bufCurl(
      "-d",
      '{"service":""}',
      `${running.baseUrl}/grpc.health.v1.Health/Check`,
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ status: "SERVING" });
  });

  it("an invalid request shows invalid_argument with the decoded violation", async () => {
    const { code, stdout, stderr } = await bufCurl(
      "-d",
      '{"customer_id":""}',
      `${running.baseUrl}/customeranalytics.v1.CustomerService/GetCustomer`,
    );
    expect(code).not.toBe(0);
    expect(stdout).toBe("");
    const error = JSON.parse(stderr) as {
      code: string;
      message: string;
      details?: { type: string; debug?: unknown }[];
    };
    expect(error.code).toBe("invalid_argument");
    expect(error.message).toMatch(/^customer_id: /);
    // Reflection serves buf/validate/validate.proto too, so buf curl can decode the detail.
    const violations = error.details?.find((d) => d.type === "buf.validate.Violations");
    expect(JSON.stringify(violations?.debug)).toContain("string.min_len");
  });

  it("an unknown customer shows not_found", async () => {
    const { code, stderr } = await bufCurl(
      "-d",
      '{"customer_id":"C999"}',
      `${running.baseUrl}/customeranalytics.v1.CustomerService/GetCustomer`,
    );
    expect(code).not.toBe(0);
    expect(JSON.parse(stderr)).toMatchObject({ code: "not_found" });
  });
});

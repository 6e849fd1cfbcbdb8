import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ValueService } from "../gen/customeranalytics/v1/value_pb.js";
import { startTestService, type TestService } from "./support/test-service.js";

// The hand fixture is far too small for the customer-base models: its fits do not converge.
// That is said, with the reason, and no prediction is ever made from them.

let running: TestService;
let client: ReturnType<typeof createClient<typeof ValueService>>;

beforeAll(async () => {
  running = await startTestService();
  client = createClient(
    ValueService,
    createConnectTransport({ baseUrl: running.baseUrl, httpVersion: "1.1" }),
  );
});

afterAll(async () => {
  await running?.close();
});

describe("a value model that did not converge", () => {
  test("is reported as such, with its reason", async () => {
    const model = await client.getValueModel({});
    const fits = [model.bgnbd, model.gammaGamma];
    expect(fits.some((f) => f?.converged === false)).toBe(true);
    for (const f of fits) {
      if (f?.converged === false) expect(f.reason).not.toBe("");
    }
    expect(model.clvDeciles).toEqual([]);
  });

  test("gives no customer's prediction: FAILED_PRECONDITION with the reason", async () => {
    const err = await client.getCustomerValue({ customerId: "C001" }).then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(err?.code).toBe(Code.FailedPrecondition);
    expect(err?.message).toContain("did not converge");
  });

  test("ranks nobody, and says why", async () => {
    const page = await client.listCustomersByValue({});
    expect(page.customers).toEqual([]);
    expect(page.nextPageToken).toBe("");
    expect(page.unrankedReason).toContain("did not converge");
  });
});

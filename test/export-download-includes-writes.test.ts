import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { BASIC_FIXTURE, startTestService, type TestService } from "./support/test-service.js";

// The plain HTTP download is ExportTable with other framing, pending writes included: a write
// shows in GET /v1/exports/customers.csv before any sync, and the snapshot's ETag no longer
// answers 304 for a file that the write changed.

let running: TestService;
const env = { SOURCE: "embedded", LOCAL_SOURCE_DIR: BASIC_FIXTURE, SYNC_AFTER_WRITES: "off" };

beforeAll(async () => {
  running = await startTestService(env);
});

afterAll(async () => {
  await running?.close();
});

const download = (headers: Record<string, string> = {}) =>
  fetch(`${running.baseUrl}/v1/exports/customers.csv?columns=customer_id,customer_name`, {
    headers,
  });

describe("GET /v1/exports/<table>.<format> with pending writes", () => {
  it("includes a create, an update and a delete before any sync, and drops the stale ETag", async () => {
    const before = await download();
    expect(before.status).toBe(200);
    const snapshotTag = before.headers.get("etag") ?? "";
    expect(snapshotTag).not.toBe("");
    const original = await before.text();
    expect(original).not.toContain("W900");
    expect((await download({ "if-none-match": snapshotTag })).status).toBe(304);

    const customers = createClient(
      CustomerService,
      createConnectTransport({ baseUrl: running.baseUrl, httpVersion: "1.1" }),
    );
    await customers.createCustomer({
      customer: {
        customerId: "W900",
        customerName: "Wilma",
        customerType: "retail",
        region: "West",
        registrationDate: "2024-03-01",
        status: "active",
      },
    });
    const firstId = /^C\d+/m.exec(original.split("\n")[1] ?? "")?.[0] ?? "";
    expect(firstId).not.toBe("");
    await customers.updateCustomer({
      customer: { customerId: firstId, customerName: "Renamed" },
      updateMask: { paths: ["customer_name"] },
    });

    const after = await download({ "if-none-match": snapshotTag });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(snapshotTag);
    const body = await after.text();
    expect(body).toContain("W900,Wilma");
    expect(body).toContain(`${firstId},Renamed`);
    expect(Number(after.headers.get("x-total-rows"))).toBe(original.trim().split("\n").length);

    await customers.deleteCustomer({ customerId: "W900" });
    const deleted = await (await download()).text();
    expect(deleted).not.toContain("W900");
    expect(deleted).toContain(`${firstId},Renamed`);
  });
});

import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { SyncService, SyncState } from "../gen/customeranalytics/v1/sync_pb.js";
import { BASIC_FIXTURE, startTestService, type TestService } from "./support/test-service.js";

// A source that lost most of its customers, through the real service: the sync is blocked,
// the last snapshot keeps answering, GetSyncStatus and /readyz say which table and by how much,
// and an admin's TriggerSync{force, allow_shrink} takes the new data anyway.

let source: string;
let running: TestService;
let sync: ReturnType<typeof createClient<typeof SyncService>>;
let customers: ReturnType<typeof createClient<typeof CustomerService>>;

beforeAll(async () => {
  source = await mkdtemp(join(tmpdir(), "ca-src-"));
  await cp(BASIC_FIXTURE, source, { recursive: true });
  running = await startTestService({ LOCAL_SOURCE_DIR: source });
  const transport = createGrpcTransport({ baseUrl: running.baseUrl });
  sync = createClient(SyncService, transport);
  customers = createClient(CustomerService, transport);
});

afterAll(async () => {
  await running?.close();
  await rm(source, { recursive: true, force: true });
});

/** Waits for the run a TriggerSync started, by its id. */
async function finished(runId: string) {
  for (;;) {
    const status = await sync.getSyncStatus({});
    if (status.lastRun?.runId === runId && status.lastRun.state !== SyncState.RUNNING) {
      return status;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("a sync that would shrink customers", () => {
  it("is blocked, named in GetSyncStatus and /readyz, and taken with force and allow_shrink", async () => {
    const path = join(source, "customers.csv");
    const lines = (await readFile(path, "utf8")).trimEnd().split("\n");
    // Keep customer C001 only: 5 → 1 customers, 80 % fewer (SYNC_MAX_SHRINK defaults to 50 %).
    await writeFile(path, `${lines.slice(0, 2).join("\n")}\n`);
    const liveId = (await sync.getSyncStatus({})).liveSnapshot?.snapshotId;

    const blockedRun = await sync.triggerSync({ force: true });
    const status = await finished(blockedRun.run?.runId ?? "");
    expect(status.lastRun?.state).toBe(SyncState.FAILED);
    expect(status.lastRun?.blocked).toMatchObject({
      check: "customers.shrink",
      table: "customers",
      rows: 4n,
    });
    expect(status.lastRun?.message).toContain("customers would shrink from 5 to 1 rows");
    expect(status.liveSnapshot?.snapshotId).toBe(liveId);
    const readyz = await fetch(`${running.baseUrl}/readyz`);
    expect(readyz.status).toBe(200);
    expect(await readyz.text()).toContain("customers would shrink from 5 to 1 rows");
    const still = await customers.getCustomer({ customerId: "C002" });
    expect(still.customer?.customerName).toBe("Bob & Co");

    const taken = await sync.triggerSync({ force: true, allowShrink: true });
    const after = await finished(taken.run?.runId ?? "");
    expect(after.lastRun?.state).toBe(SyncState.SUCCEEDED);
    expect(after.lastRun?.blocked).toBeUndefined();
    expect(after.liveSnapshot?.tables.find((t) => t.table === "customers")?.rows).toBe(1n);
    expect(await (await fetch(`${running.baseUrl}/readyz`)).text()).toBe("ready\n");
  });
});

import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { createLogger } from "../src/server/logger.js";
import { SyncAfterWrites } from "../src/sync/sync-after-writes.js";
import type { SyncRunRecord } from "../src/sync/sync-status.js";
import type { Syncer } from "../src/sync/syncer.js";
import { BASIC_FIXTURE, startTestService, type TestService } from "./support/test-service.js";

// SYNC_AFTER_WRITES: writes are followed by a sync, started once they stop, which takes them
// into the snapshot (the overlay then gives way); a burst of pokes costs one sync.

let running: TestService;

beforeAll(async () => {
  running = await startTestService({
    SOURCE: "embedded",
    LOCAL_SOURCE_DIR: BASIC_FIXTURE,
    SYNC_AFTER_WRITES: "300ms",
  });
});

afterAll(async () => {
  await running?.close();
});

it("writes are followed by a sync that takes them in", async () => {
  const runs: SyncRunRecord[] = [];
  const synced = new Promise<void>((resolve) => {
    running.service.syncer.onRunEnd((run) => {
      runs.push(run);
      resolve();
    });
  });
  const client = createClient(
    CustomerService,
    createConnectTransport({ baseUrl: running.baseUrl, httpVersion: "1.1" }),
  );
  for (const region of ["A", "B", "C", "D"]) {
    await client.updateCustomer({ customer: { customerId: "C001", region } });
  }
  const pending = await client.getCustomer({ customerId: "C001" });
  expect(pending.meta).toMatchObject({ includesPendingWrites: true });
  await synced;
  await running.service.syncer.idle();
  expect(runs[0]?.trigger).toBe("schedule");
  const after = await client.getCustomer({ customerId: "C001" });
  expect(after.customer?.region).toBe("D");
  expect(after.meta).toMatchObject({ includesPendingWrites: false, pendingWrites: 0 });
});

it("debounces: pokes in a burst start one sync, after the last of them", async () => {
  const triggers: string[] = [];
  let done: () => void = () => undefined;
  const called = new Promise<void>((resolve) => {
    done = resolve;
  });
  const syncer = {
    sync: async (trigger: string) => {
      triggers.push(trigger);
      done();
      return {} as SyncRunRecord;
    },
  };
  const log = createLogger("silent");
  const after = new SyncAfterWrites(syncer as Pick<Syncer, "sync">, log, 50);
  for (let i = 0; i < 5; i++) after.poke();
  await called;
  after.stop();
  expect(triggers).toEqual(["schedule"]);
  const off = new SyncAfterWrites(syncer as Pick<Syncer, "sync">, log, undefined);
  off.poke();
  off.stop();
  expect(triggers).toHaveLength(1);
});

import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SyncPhase,
  type SyncProgress,
  SyncService,
  SyncState,
} from "../gen/customeranalytics/v1/sync_pb.js";
import { type EmulatorHandle, startEmulator } from "./emulator/index.js";
import { BASIC_FIXTURE, startTestService, type TestService } from "./support/test-service.js";

// WatchSync as a progress bar sees it, TriggerSync joining a running sync, and ListSnapshots,
// on a sync through the real driver from the emulator.

const EXTRA_ROWS = 25_000;

let emulator: EmulatorHandle;
let running: TestService;
let sync: ReturnType<typeof createClient<typeof SyncService>>;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, dataDir: BASIC_FIXTURE });
  await emulator.sql(
    `INSERT INTO customer_products
     SELECT 'X' || i, 'C00' || (1 + i % 5), 'P0' || (1 + i % 5), 'holder', DATE '2020-01-01', NULL, 1.00
     FROM range(?) t(i)`,
    [EXTRA_ROWS],
  );
  running = await startTestService({
    SOURCE: "snowflake",
    LOCAL_SOURCE_DIR: "",
    SNOWFLAKE_ACCOUNT: "emulator",
    SNOWFLAKE_USER: "analytics",
    SNOWFLAKE_PASSWORD: "emulator",
    SNOWFLAKE_DATABASE: "ANALYTICS",
    SNOWFLAKE_SCHEMA: "PUBLIC",
    SNOWFLAKE_ACCESS_URL: emulator.url,
  });
  sync = createClient(SyncService, createGrpcTransport({ baseUrl: running.baseUrl }));
});

afterAll(async () => {
  await running?.close();
  await emulator?.close();
});

describe("WatchSync", () => {
  it("streams a forced sync from check to done, with rows against totals", async () => {
    const events: SyncProgress[] = [];
    const abort = new AbortController();
    const watching = (async () => {
      for await (const res of sync.watchSync({}, { signal: abort.signal, timeoutMs: 30_000 })) {
        if (res.progress !== undefined) events.push(res.progress);
        if (res.progress?.phase === SyncPhase.DONE && events.length > 1) return;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const triggered = await sync.triggerSync({ force: true });
    expect(triggered.joined).toBe(false);
    expect(triggered.run?.state).toBe(SyncState.RUNNING);
    const again = await sync.triggerSync({ force: true });
    expect(again.joined).toBe(true);
    expect(again.run?.runId).toBe(triggered.run?.runId);
    await watching;
    abort.abort();

    const run = events.filter((e) => e.runId === triggered.run?.runId);
    const phases = [...new Set(run.map((e) => e.phase))];
    expect(phases).toEqual([
      SyncPhase.CHECK,
      SyncPhase.LOAD,
      SyncPhase.VALIDATE,
      SyncPhase.DERIVE,
      SyncPhase.SWAP,
      SyncPhase.DONE,
    ]);
    const fractions = run.map((e) => e.fractionDone);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBe(1);
    expect(run.at(-1)?.state).toBe(SyncState.SUCCEEDED);
    const relationships = run.filter((e) => e.table === "customer_products");
    const total = Number(relationships.at(-1)?.totalRows);
    expect(total).toBe(9 + EXTRA_ROWS);
    expect(Number(relationships.at(-1)?.rows)).toBe(total);
    expect(relationships.some((e) => Number(e.rows) > 0 && Number(e.rows) < total)).toBe(true);
  });

  it("lists the live snapshot first and the one it replaced", async () => {
    const listed = await sync.listSnapshots({});
    const [live, retired] = listed.snapshots;
    expect(live?.live).toBe(true);
    expect(live?.snapshot?.snapshotId).toBe(running.service.store.live?.id);
    expect(live?.retiredAt).toBeUndefined();
    expect(retired?.live).toBe(false);
    expect(retired?.retiredAt).toBeDefined();
    const rows = Object.fromEntries(
      (live?.snapshot?.tables ?? []).map((t) => [t.table, Number(t.rows)]),
    );
    expect(rows.customer_products).toBe(9 + EXTRA_ROWS);
    const status = await sync.getSyncStatus({});
    expect(status.lastRun?.trigger).toBe("request");
    expect(status.lastRun?.tables.map((t) => t.table)).toContain("association_rules");
  });
});

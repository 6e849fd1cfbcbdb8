import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { SyncPhase, SyncService, SyncState } from "../gen/customeranalytics/v1/sync_pb.js";
import { type EmulatorHandle, startEmulator } from "./emulator/index.js";
import { type ChildService, sleep, startChildService } from "./support/child-service.js";
import { BASIC_FIXTURE } from "./support/test-service.js";

// A process killed with SIGKILL in the middle of a sync, then restarted: the last good
// snapshot serves at once, and the interrupted build's file is gone.

let emulator: EmulatorHandle;
let dataDir: string;
let child: ChildService | undefined;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, dataDir: BASIC_FIXTURE });
  dataDir = await mkdtemp(join(tmpdir(), "ca-crash-"));
});

afterAll(async () => {
  await child?.kill();
  await emulator?.close();
  await rm(dataDir, { recursive: true, force: true });
});

function env(): Record<string, string> {
  return {
    SNOWFLAKE_ACCOUNT: "emulator",
    SNOWFLAKE_USER: "analytics",
    SNOWFLAKE_PASSWORD: "emulator",
    SNOWFLAKE_DATABASE: "ANALYTICS",
    SNOWFLAKE_SCHEMA: "PUBLIC",
    SNOWFLAKE_ACCESS_URL: emulator.url,
    DATA_DIR: dataDir,
  };
}

async function status(baseUrl: string) {
  return createClient(SyncService, createGrpcTransport({ baseUrl })).getSyncStatus({});
}

/** Polls until `done` holds for the sync status (bounded: 20 s). */
async function waitFor(
  baseUrl: string,
  done: (s: Awaited<ReturnType<typeof status>>) => boolean,
): Promise<Awaited<ReturnType<typeof status>>> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const current = await status(baseUrl);
    if (done(current)) return current;
    await sleep(100);
  }
  throw new Error(`the sync status never got there:\n${child?.output()}`);
}

describe("SIGKILL in the middle of a sync", () => {
  it("leaves the last good snapshot serving after a restart", async () => {
    child = await startChildService(env());
    const first = await waitFor(child.baseUrl, (s) => s.lastRun?.state === SyncState.SUCCEEDED);
    const goodId = first.liveSnapshot?.snapshotId ?? "";
    expect(goodId).not.toBe("");
    expect((await child.stop(10_000)).code).toBe(0);

    await emulator.sql(
      `INSERT INTO customer_products VALUES ('R200', 'C004', 'P01', 'holder', DATE '2024-02-02', NULL, 7.00)`,
    );
    await emulator.setFaults({
      slowQueries: { count: 100, delayMs: 60_000, sqlPattern: "SELECT relationship_id" },
    });
    child = await startChildService(env());
    const stuck = await waitFor(
      child.baseUrl,
      (s) => s.lastRun?.state === SyncState.RUNNING && s.liveSnapshot?.snapshotId === goodId,
    );
    const killedRun = stuck.lastRun?.runId ?? "";
    const watch = createClient(SyncService, createGrpcTransport({ baseUrl: child.baseUrl }));
    for await (const event of watch.watchSync({}, { timeoutMs: 20_000 })) {
      if (event.progress?.phase === SyncPhase.LOAD && event.progress.table === "customer_products")
        break;
    }
    const files = await readdir(join(dataDir, "snapshots"));
    expect(files).toContain(`${killedRun}.duckdb`);
    await child.kill();

    child = await startChildService(env());
    expect(child.readyMs).toBeLessThan(20_000);
    const after = await status(child.baseUrl);
    expect(after.liveSnapshot?.snapshotId).toBe(goodId);
    const left = await readdir(join(dataDir, "snapshots"));
    expect(left).not.toContain(`${killedRun}.duckdb`);
    const customers = createClient(
      CustomerService,
      createGrpcTransport({ baseUrl: child.baseUrl }),
    );
    const answer = await customers.getCustomer({ customerId: "C004" });
    expect(answer.meta?.snapshotId).toBe(goodId);
    expect(answer.summary?.totalValue).toBe("0.00");

    await emulator.clearFaults();
    await child.kill();
  });
});

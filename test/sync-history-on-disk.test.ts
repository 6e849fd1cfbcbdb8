import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SyncService, SyncState } from "../gen/customeranalytics/v1/sync_pb.js";
import { type EmulatorHandle, startEmulator } from "./emulator/index.js";
import { type ChildService, sleep, startChildService } from "./support/child-service.js";
import { BASIC_FIXTURE } from "./support/test-service.js";

// A sync hung on a Snowflake statement shows which statement and for how long; the statement
// ends at SNOWFLAKE_STATEMENT_TIMEOUT; and the runs' records survive a SIGKILL, so after a
// restart GetSyncStatus shows the run the kill interrupted.

let emulator: EmulatorHandle;
let dataDir: string;
let child: ChildService | undefined;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, dataDir: BASIC_FIXTURE });
  dataDir = await mkdtemp(join(tmpdir(), "ca-history-"));
});

afterAll(async () => {
  await child?.kill();
  await emulator?.close();
  await rm(dataDir, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    SNOWFLAKE_ACCOUNT: "emulator",
    SNOWFLAKE_USER: "analytics",
    SNOWFLAKE_PASSWORD: "emulator",
    SNOWFLAKE_DATABASE: "ANALYTICS",
    SNOWFLAKE_SCHEMA: "PUBLIC",
    SNOWFLAKE_ACCESS_URL: emulator.url,
    SNOWFLAKE_DISABLE_PLATFORM_DETECTION: "true",
    DATA_DIR: dataDir,
    ...extra,
  };
}

function client(baseUrl: string) {
  return createClient(SyncService, createGrpcTransport({ baseUrl }));
}

type Status = Awaited<ReturnType<ReturnType<typeof client>["getSyncStatus"]>>;

/** Polls until `done` holds for the sync status (bounded: 20 s). */
async function waitFor(baseUrl: string, done: (s: Status) => boolean): Promise<Status> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const current = await client(baseUrl).getSyncStatus({});
    if (done(current)) return current;
    await sleep(100);
  }
  throw new Error(`the sync status never got there:\n${child?.output()}`);
}

describe("sync runs on disk and hung statements", () => {
  it("shows the hung statement, then the interrupted run after a SIGKILL", async () => {
    child = await startChildService(env());
    await waitFor(child.baseUrl, (s) => s.lastRun?.state === SyncState.SUCCEEDED);
    expect((await child.stop(10_000)).code).toBe(0);

    await emulator.sql(
      `INSERT INTO customer_products VALUES ('R300', 'C004', 'P01', 'holder', DATE '2024-03-03', NULL, 9.00)`,
    );
    await emulator.setFaults({ hangQueries: { count: 100, sqlPattern: "SELECT relationship_id" } });
    child = await startChildService(env({ SNOWFLAKE_STATEMENT_TIMEOUT: "120s" }));
    const stuck = await waitFor(
      child.baseUrl,
      (s) =>
        s.lastRun?.state === SyncState.RUNNING &&
        (s.lastRun.currentStatement ?? "").includes("customer_products"),
    );
    const killed = stuck.lastRun?.runId ?? "";
    expect(stuck.lastRun?.currentStatementElapsed).toBeDefined();
    expect(stuck.sourceIdentity).toBe("snowflake:EMULATOR/ANALYTICS/PUBLIC");
    await child.kill();
    await emulator.clearFaults();

    child = await startChildService(env());
    const after = await client(child.baseUrl).getSyncStatus({});
    const interrupted = after.recentRuns.find((run) => run.runId === killed);
    expect(interrupted?.state).toBe(SyncState.FAILED);
    expect(interrupted?.message).toMatch(/interrupted/);
    expect(after.recentRuns.some((run) => run.state === SyncState.SUCCEEDED)).toBe(true);
    await child.kill();
  });

  it("ends a hung statement at SNOWFLAKE_STATEMENT_TIMEOUT", async () => {
    await emulator.sql(
      `INSERT INTO customer_products VALUES ('R301', 'C004', 'P02', 'holder', DATE '2024-03-04', NULL, 9.00)`,
    );
    await emulator.setFaults({ hangQueries: { count: 100, sqlPattern: "SELECT relationship_id" } });
    child = await startChildService(env({ SNOWFLAKE_STATEMENT_TIMEOUT: "5s" }), "listening");
    const failed = await waitFor(child.baseUrl, (s) => s.lastRun?.state === SyncState.FAILED);
    expect(failed.lastRun?.message).toMatch(/within 5000 ms/);
    await emulator.clearFaults();
    await child.kill();
  });
});

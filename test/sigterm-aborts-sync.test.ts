import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { SyncService, SyncState } from "../gen/customeranalytics/v1/sync_pb.js";
import { type ChildService, sleep, startChildService } from "./support/child-service.js";
import { BASIC_FIXTURE } from "./support/test-service.js";

// SIGTERM while a sync is running (the way `docker stop` lands during a long first sync): the
// process aborts the sync instead of waiting for it, exits 0 well inside Docker's 10 s stop
// timeout, leaves no partial snapshot behind, and the next start serves the last good one.

let dataDir: string;
let child: ChildService | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "ca-sigterm-"));
});

afterAll(async () => {
  await child?.kill();
  await rm(dataDir, { recursive: true, force: true });
});

/** The small fixture: a sync of a few milliseconds. */
const fixture = () => ({ SOURCE: "local", LOCAL_SOURCE_DIR: BASIC_FIXTURE, DATA_DIR: dataDir });
/** The bundled demo data (half a million invoice lines): a sync of many seconds. */
const demo = () => ({ SOURCE: "online-retail", DATA_DIR: dataDir });

function syncClient(baseUrl: string) {
  return createClient(SyncService, createGrpcTransport({ baseUrl }));
}

/** Polls GetSyncStatus until `done` holds (bounded: 20 s). */
async function waitForStatus(
  baseUrl: string,
  done: (s: Awaited<ReturnType<ReturnType<typeof syncClient>["getSyncStatus"]>>) => boolean,
) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const status = await syncClient(baseUrl).getSyncStatus({}, { timeoutMs: 5_000 });
    if (done(status)) return status;
    await sleep(100);
  }
  throw new Error(`the sync status never got there:\n${child?.output()}`);
}

describe("SIGTERM in the middle of a sync", () => {
  it("aborts the sync, exits 0 within 5 s, and the next start serves the last snapshot", async () => {
    child = await startChildService(fixture());
    const first = await waitForStatus(
      child.baseUrl,
      (s) => s.lastRun?.state === SyncState.SUCCEEDED,
    );
    const goodId = first.liveSnapshot?.snapshotId ?? "";
    expect(goodId).not.toBe("");
    expect((await child.stop(5_000)).code).toBe(0);

    // Another source: the snapshot on disk is not served (it is another source's), and a new
    // one is built from the demo data in the background, its file written as it goes.
    child = await startChildService(demo(), "listening");
    const running = await waitForStatus(
      child.baseUrl,
      (s) => s.lastRun?.state === SyncState.RUNNING,
    );
    const runId = running.lastRun?.runId ?? "";
    for (let attempt = 0; attempt < 200; attempt++) {
      if ((await readdir(join(dataDir, "snapshots"))).includes(`${runId}.duckdb`)) break;
      await sleep(100);
    }
    expect(await readdir(join(dataDir, "snapshots"))).toContain(`${runId}.duckdb`);
    const stopped = await child.stop(5_000);
    expect(stopped.code, child.output()).toBe(0);
    expect(child.output()).not.toContain("shutdown took too long");
    expect(await readdir(join(dataDir, "snapshots"))).not.toContain(`${runId}.duckdb`);

    child = await startChildService(fixture());
    const after = await waitForStatus(child.baseUrl, (s) => s.lastRun?.state !== SyncState.RUNNING);
    expect(after.liveSnapshot?.snapshotId).toBe(goodId);
    expect(after.lastRun?.state).toBe(SyncState.SKIPPED);
    const left = (await readdir(join(dataDir, "snapshots"))).filter((f) => f.endsWith(".duckdb"));
    expect(left).toEqual([`${goodId}.duckdb`]);
    const customers = createClient(
      CustomerService,
      createGrpcTransport({ baseUrl: child.baseUrl }),
    );
    const answer = await customers.getCustomer({ customerId: "C002" });
    expect(answer.meta?.snapshotId).toBe(goodId);
    expect((await child.stop(5_000)).code).toBe(0);
  });
});

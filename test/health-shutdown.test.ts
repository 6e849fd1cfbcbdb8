import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { SyncService, SyncState } from "../gen/customeranalytics/v1/sync_pb.js";
import {
  Health,
  HealthCheckResponse_ServingStatus as Status,
} from "../gen/grpc/health/v1/health_pb.js";
import { SERVICES as API_SERVICES } from "../src/server/server.js";
import { type ChildService, sleep, startChildService } from "./support/child-service.js";
import { BASIC_FIXTURE, startTestService, type TestService } from "./support/test-service.js";

// Health as load balancers and Kubernetes see it, and an orderly shutdown: watchers are told
// NOT_SERVING before the port closes, in-flight calls finish, the process exits 0, and a
// restart serves the snapshot it left on disk without rebuilding it.

const SERVICES = API_SERVICES.map((s) => s.typeName);

describe("health in process", () => {
  let running: TestService;
  let closed = false;
  let health: ReturnType<typeof createClient<typeof Health>>;

  beforeAll(async () => {
    running = await startTestService();
    health = createClient(Health, createGrpcTransport({ baseUrl: running.baseUrl }));
  });

  afterAll(async () => {
    if (!closed) await running?.close();
  });

  it("Check is SERVING for the server and every service", async () => {
    for (const service of ["", ...SERVICES]) {
      const res = await health.check({ service }, { timeoutMs: 5_000 });
      expect(res.status, service).toBe(Status.SERVING);
    }
  });

  it("List reports every service as SERVING", async () => {
    const res = await health.list({}, { timeoutMs: 5_000 });
    expect(Object.keys(res.statuses).sort()).toEqual(["", ...SERVICES].sort());
    for (const status of Object.values(res.statuses)) expect(status.status).toBe(Status.SERVING);
  });

  it("Check of an unknown service is NOT_FOUND", async () => {
    const err = await health.check({ service: "no.such.Service" }, { timeoutMs: 5_000 }).then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(err?.code).toBe(Code.NotFound);
  });

  // Last in this block: it closes the service.
  it("Watch sends SERVING, then NOT_SERVING on close, then ends", async () => {
    const seen: Status[] = [];
    let closing: Promise<void> | undefined;
    for await (const res of health.watch({ service: "" }, { timeoutMs: 10_000 })) {
      seen.push(res.status);
      if (seen.length === 1) {
        closed = true;
        closing = running.close();
      }
      if (seen.length > 5) break;
    }
    await closing;
    expect(seen).toEqual([Status.SERVING, Status.NOT_SERVING]);
  });
});

describe("the process, under SIGTERM and restart", () => {
  let dataDir: string;
  let child: ChildService | undefined;
  const output = () => child?.output() ?? "";

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "ca-shutdown-"));
  });

  afterAll(async () => {
    await child?.kill();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<{ baseUrl: string; readyMs: number }> {
    child = await startChildService({
      SOURCE: "local",
      LOCAL_SOURCE_DIR: BASIC_FIXTURE,
      DATA_DIR: dataDir,
      SHUTDOWN_GRACE: "2s",
    });
    return child;
  }

  function stop(limitMs: number): Promise<{ code: number | null; ms: number }> {
    if (child === undefined) throw new Error("no child to stop");
    return child.stop(limitMs);
  }

  let firstSnapshotId = "";

  it("finishes in-flight calls and exits 0 within 10 s of SIGTERM", async () => {
    const { baseUrl } = await start();
    const transport = createGrpcTransport({ baseUrl });
    const sync = createClient(SyncService, transport);
    const status = await waitForSettledSync(sync);
    expect(status.lastRun?.state).toBe(SyncState.SUCCEEDED);
    firstSnapshotId = status.liveSnapshot?.snapshotId ?? "";
    expect(firstSnapshotId).not.toBe("");

    // Two calls in flight when the signal lands: a Watch stream, and a unary call sent just
    // before it (the server keeps serving for a moment after going NOT_SERVING).
    const watch = createClient(Health, transport).watch({ service: "" }, { timeoutMs: 15_000 });
    const iterator = watch[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.status).toBe(Status.SERVING);
    const customers = createClient(CustomerService, transport);
    const inFlight = customers.getCustomer({ customerId: "C002" }, { timeoutMs: 15_000 });
    await sleep(10);
    const stopping = stop(10_000);
    const answer = await inFlight;
    expect(answer.summary?.totalValue).toBe("250949.75");
    const rest: Status[] = [];
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
      rest.push(next.value.status);
    }
    expect(rest).toEqual([Status.NOT_SERVING]);
    const { code, ms } = await stopping;
    expect(code, output()).toBe(0);
    expect(ms).toBeLessThan(10_000);
  });

  it("a restart on the same DATA_DIR serves the same snapshot and skips the sync", async () => {
    expect(firstSnapshotId).not.toBe("");
    const { baseUrl, readyMs } = await start();
    // Ready as soon as the process is up: the snapshot on disk serves before any sync runs.
    expect(readyMs).toBeLessThan(10_000);
    const sync = createClient(SyncService, createGrpcTransport({ baseUrl }));
    const status = await waitForSettledSync(sync);
    expect(status.liveSnapshot?.snapshotId).toBe(firstSnapshotId);
    expect(status.lastRun?.state).toBe(SyncState.SKIPPED);
    expect(status.lastRun?.message).toContain(firstSnapshotId);
    const { code } = await stop(10_000);
    expect(code, output()).toBe(0);
  });
});

/** Polls GetSyncStatus until the last run has finished (bounded: 20 s). */
async function waitForSettledSync(client: ReturnType<typeof createClient<typeof SyncService>>) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const status = await client.getSyncStatus({}, { timeoutMs: 5_000 });
    const state = status.lastRun?.state;
    if (state !== undefined && state !== SyncState.RUNNING) return status;
    await sleep(100);
  }
  throw new Error("the sync did not finish within 20 s");
}

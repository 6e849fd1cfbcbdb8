import { appendFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { encodeEntry } from "../src/publish/write-log-entry.js";
import { type EmulatorHandle, startEmulator } from "./emulator/index.js";
import { type ChildService, sleep } from "./support/child-service.js";
import {
  customerOn,
  emulatorEnv,
  startRole,
  syncNow,
  syncStatus,
  until,
  writeLogSegments,
} from "./support/scale-out-cluster.js";
import { BASIC_FIXTURE } from "./support/test-service.js";

// Writes on any process of a scale-out: one syncer and two replicas as their own processes on a
// temporary PUBLISH_DIR, all three with the emulator's Snowflake settings. A write on one
// process goes to the source and into that process's segment of the shared write log; the
// others tail it into their overlays. "Within 2 s" is a deadline for the write to show, not a
// measurement of speed. The syncer's sync after writes (1 s here) then publishes a snapshot
// holding the writes, after which the writers remove their segments (WRITE_LOG_GRACE 1 s).

/** The deadline the issue sets for a write to show on every other process. */
const VISIBLE_WITHIN_MS = 2_000;

let root: string;
let publishDir: string;
let emulator: EmulatorHandle;
let syncer: ChildService;
let replicaA: ChildService;
let replicaB: ChildService;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "ca-writes-any-replica-"));
  publishDir = join(root, "publish");
  await mkdir(publishDir);
  emulator = await startEmulator({ port: 0, dataDir: BASIC_FIXTURE });
  const env = { ...emulatorEnv(emulator.url), WRITE_LOG_GRACE: "1s", SYNC_AFTER_WRITES: "1s" };
  syncer = await startRole("syncer", join(root, "syncer"), publishDir, env);
  await syncNow(syncer.baseUrl);
  [replicaA, replicaB] = await Promise.all([
    startRole("replica", join(root, "a"), publishDir, env),
    startRole("replica", join(root, "b"), publishDir, env),
  ]);
});

afterAll(async () => {
  await Promise.all([syncer?.kill(), replicaA?.kill(), replicaB?.kill()]);
  await emulator?.close();
  await rm(root, { recursive: true, force: true });
});

const customersOf = (process: ChildService) =>
  createClient(CustomerService, createGrpcTransport({ baseUrl: process.baseUrl }));

const nameAtSource = async (id: string) =>
  (await emulator.sql("SELECT customer_name FROM customers WHERE customer_id = ?", [id]))
    .rows[0]?.[0];

/** Waits, up to the deadline, until every process in `processes` answers `check` true. */
async function visibleOn(
  processes: readonly ChildService[],
  id: string,
  check: (seen: Awaited<ReturnType<typeof customerOn>>) => boolean,
): Promise<void> {
  await until(VISIBLE_WITHIN_MS, async () => {
    const seen = await Promise.all(processes.map((p) => customerOn(p.baseUrl, id)));
    return seen.every(check);
  });
}

function newCustomer(customerId: string, customerName: string) {
  return {
    customer: {
      customerId,
      customerName,
      customerType: "retail",
      region: "Arctic",
      registrationDate: "2024-03-01",
      status: "active",
    },
  };
}

describe("a write on one replica shows on every replica", () => {
  it("shows a customer created on replica A on replica B and the syncer within 2 s; the source holds it", async () => {
    await customersOf(replicaA).createCustomer(newCustomer("R100", "Made on A"));
    expect(await writeLogSegments(publishDir, replicaA.process.pid)).toHaveLength(1);
    expect(await nameAtSource("R100")).toBe("Made on A");
    expect(await customerOn(replicaA.baseUrl, "R100")).toMatchObject({ name: "Made on A" });
    await visibleOn([replicaB, syncer], "R100", (seen) => seen?.name === "Made on A");
  });

  it("shows an update made on replica B on replica A and the syncer within 2 s", async () => {
    await customersOf(replicaB).updateCustomer({
      customer: { customerId: "R100", region: "Norway" },
      updateMask: { paths: ["region"] },
    });
    await visibleOn([replicaA, syncer], "R100", (seen) => seen?.region === "Norway");
    expect(await customerOn(replicaA.baseUrl, "R100")).toMatchObject({ name: "Made on A" });
  });

  it("hides on replica A, within 2 s, a customer deleted on replica B", async () => {
    await customersOf(replicaB).createCustomer(newCustomer("R200", "Short-lived"));
    await visibleOn([replicaA], "R200", (seen) => seen?.name === "Short-lived");
    await customersOf(replicaB).deleteCustomer({ customerId: "R200" });
    expect(await nameAtSource("R200")).toBeUndefined();
    await visibleOn([replicaA, syncer], "R200", (seen) => seen === undefined);
  });

  it("does not apply a segment's partial last line until its newline is written", async () => {
    // A line as a writer writes it, committed "in the future" so that no publication made while
    // the test waits holds it (which would make the processes skip it).
    const row = {
      customer_id: "R300",
      customer_name: "Half a line",
      customer_type: "retail",
      region: "Arctic",
      registration_date: "2024-03-01",
      status: "active",
    };
    const line = encodeEntry({
      committedAt: new Date(Date.now() + 600_000),
      effects: [{ table: "customers", key: "R300", row, owners: [] }],
    });
    const forged = join(publishDir, "writes", "test-0-000000.000001.jsonl");
    await writeFile(forged, line.slice(0, line.length >> 1));
    await sleep(1_000);
    expect(await customerOn(replicaA.baseUrl, "R300")).toBeUndefined();
    expect(await customerOn(replicaB.baseUrl, "R300")).toBeUndefined();
    await appendFile(forged, line.slice(line.length >> 1));
    await visibleOn([replicaA, replicaB, syncer], "R300", (seen) => seen?.name === "Half a line");
    await rm(forged);
  });

  it("serves the writes from the snapshot once the syncer's sync after writes is published; the writer's segment goes", async () => {
    await customersOf(replicaA).createCustomer(newCustomer("R400", "Into the snapshot"));
    const wroteAt = Date.now();
    // The syncer heard of the write through the log alone, and syncs after it.
    await until(60_000, async () => {
      const live = (await syncStatus(syncer.baseUrl)).liveSnapshot;
      return Number(live?.dataAsOf?.seconds ?? 0n) * 1000 > wroteAt;
    });
    const id = (await syncStatus(syncer.baseUrl)).liveSnapshot?.snapshotId ?? "";
    for (const replica of [replicaA, replicaB]) {
      await until(20_000, async () => {
        if ((await syncStatus(replica.baseUrl)).liveSnapshot?.snapshotId !== id) return false;
        const seen = await customerOn(replica.baseUrl, "R400");
        return seen?.name === "Into the snapshot" && !seen.pending;
      });
      expect(await customerOn(replica.baseUrl, "R100")).toMatchObject({ region: "Norway" });
      expect(await customerOn(replica.baseUrl, "R200")).toBeUndefined();
    }
    await until(20_000, async () => {
      return (await writeLogSegments(publishDir, replicaA.process.pid)).length === 0;
    });
    await until(20_000, async () => {
      return (await writeLogSegments(publishDir, replicaB.process.pid)).length === 0;
    });
    const metrics = await (await fetch(`${replicaB.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/customer_analytics_write_log_applied [1-9]/);
    expect(metrics).toContain("customer_analytics_write_log_append_failures 0");
  });
});

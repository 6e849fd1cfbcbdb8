import { createHash } from "node:crypto";
import { watch } from "node:fs";
import {
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorHandle, startEmulator } from "./emulator/index.js";
import { type ChildService, sleep } from "./support/child-service.js";
import {
  customerName,
  emulatorEnv,
  hammer,
  startRole,
  syncNow,
  syncStatus,
  until,
} from "./support/scale-out-cluster.js";
import { BASIC_FIXTURE } from "./support/test-service.js";

// One syncer and two replicas as their own processes (the compiled service), sharing a
// temporary PUBLISH_DIR, the syncer reading the Snowflake emulator. The replicas are given the
// Snowflake credentials too (for live reads), so the count of source reads shows that they
// never sync from it.

const TABLES = ["customers", "products", "customer_products"] as const;

let root: string;
let publishDir: string;
let emulator: EmulatorHandle;
let env: Record<string, string>;
let syncer: ChildService;
let replicaA: ChildService;
let replicaB: ChildService;
/** Time-travel reads of each table that one sync by the syncer alone makes. */
let readsPerSync: Record<string, number>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "ca-scale-out-"));
  publishDir = join(root, "publish");
  await mkdir(publishDir);
  emulator = await startEmulator({ port: 0, dataDir: BASIC_FIXTURE });
  env = emulatorEnv(emulator.url);
  syncer = await startRole("syncer", join(root, "syncer"), publishDir, env);
  await emulator.resetStats();
  await syncNow(syncer.baseUrl);
  readsPerSync = (await emulator.stats()).timeTravelReadsByTable;
  replicaA = await startRole("replica", join(root, "a"), publishDir, env);
  replicaB = await startRole("replica", join(root, "b"), publishDir, env);
});

afterAll(async () => {
  await Promise.all([syncer?.kill(), replicaA?.kill(), replicaB?.kill()]);
  await emulator?.close();
  await rm(root, { recursive: true, force: true });
});

/** Waits until every process in `replicas` serves `snapshotId`; returns each one's lag in ms. */
async function served(replicas: readonly ChildService[], snapshotId: string): Promise<number[]> {
  const lags: number[] = [];
  for (const replica of replicas) {
    await until(20_000, async () => {
      const status = await syncStatus(replica.baseUrl);
      return status.liveSnapshot?.snapshotId === snapshotId;
    });
    const lag = (await syncStatus(replica.baseUrl)).publication?.publicationLag;
    lags.push(Number(lag?.seconds ?? 0n) * 1000 + (lag?.nanos ?? 0) / 1e6);
  }
  return lags;
}

/** The snapshot the manifest names now, as the syncer reports it. */
async function published(): Promise<string> {
  const manifest = JSON.parse(await readFile(join(publishDir, "manifest.json"), "utf8")) as {
    snapshotId: string;
  };
  return manifest.snapshotId;
}

/** Replaces the manifest as a publisher does (temporary file, rename), naming `id` instead. */
async function forgeManifest(id: string, sha256: string): Promise<void> {
  const path = join(publishDir, "manifest.json");
  const manifest = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  const tmp = join(publishDir, ".manifest.test.tmp");
  const publishedAt = new Date().toISOString();
  await writeFile(
    tmp,
    JSON.stringify({ ...manifest, snapshotId: id, file: `${id}.duckdb`, sha256, publishedAt }),
  );
  await rename(tmp, path);
}

/** Waits until both replicas have read a manifest naming `id` and refused it; returns the reasons. */
async function refusedBy(id: string): Promise<string[]> {
  const reasons: string[] = [];
  for (const replica of [replicaA, replicaB]) {
    await until(10_000, async () => {
      const publication = (await syncStatus(replica.baseUrl)).publication;
      return publication?.latestSnapshotId === id && publication.lastRefusal.includes(id);
    });
    reasons.push((await syncStatus(replica.baseUrl)).publication?.lastRefusal ?? "");
  }
  return reasons;
}

describe("one syncer publishes, two replicas follow", () => {
  it("counts the source reads of one sync by the syncer alone: each base table, at one point in time", () => {
    for (const table of TABLES) expect(readsPerSync[table]).toBeGreaterThan(0);
    expect(new Set(TABLES.map((t) => readsPerSync[t])).size).toBe(1);
  });

  it("serves a new snapshot on both replicas within 10 s of its publication, no call failing", async () => {
    const load = hammer([replicaA.baseUrl, replicaB.baseUrl]);
    await emulator.sql(
      "UPDATE customers SET customer_name = 'Renamed Bob' WHERE customer_id = 'C002'",
    );
    await emulator.resetStats();
    const id = await syncNow(syncer.baseUrl);
    await until(10_000, async () => (await published()) === id);
    const lags = await served([replicaA, replicaB], id);
    for (const lag of lags) expect(lag).toBeLessThan(10_000);
    expect(await customerName(replicaA.baseUrl)).toBe("Renamed Bob");
    expect(await customerName(replicaB.baseUrl)).toBe("Renamed Bob");
    const count = await load.stop();
    expect(count.errors).toEqual([]);
    expect(count.failed).toBe(0);
    expect(count.ok).toBeGreaterThan(0);
    // Two replicas more, and still the reads of one sync: they never read the source.
    expect((await emulator.stats()).timeTravelReadsByTable).toEqual(readsPerSync);
    const syncerStatus = await syncStatus(syncer.baseUrl);
    expect(syncerStatus.role).toBe("syncer");
    expect(syncerStatus.publication?.latestSnapshotId).toBe(id);
    const replicaStatus = await syncStatus(replicaA.baseUrl);
    expect(replicaStatus.role).toBe("replica");
    expect(replicaStatus.publication?.servingSnapshotId).toBe(id);
    expect(replicaStatus.recentRuns).toEqual([]);
    const readyz = await (await fetch(`${replicaB.baseUrl}/readyz`)).text();
    expect(readyz).toContain(`role=replica snapshot=${id}`);
    const metrics = await (await fetch(`${replicaB.baseUrl}/metrics`)).text();
    expect(metrics).toContain('customer_analytics_role{role="replica"} 1');
    expect(metrics).toContain(`customer_analytics_snapshot_served{snapshot="${id}"} 1`);
    expect(metrics).toMatch(/customer_analytics_publication_lag_seconds \d/);
  });

  it("refuses a truncated publication and a vanished one, and keeps serving the last good one", async () => {
    const good = await published();
    const fake = good.replace(/-[0-9a-f]{6}$/, "-000000").replace(/^s\d{4}/, "s2999");
    const whole = await readFile(join(publishDir, `${good}.duckdb`));
    const sha256 = createHash("sha256").update(whole).digest("hex");
    await writeFile(join(publishDir, `${fake}.duckdb`), whole.subarray(0, whole.length >> 1));
    await forgeManifest(fake, sha256);
    for (const reason of await refusedBy(fake))
      expect(reason).toMatch(/does not match its manifest/);
    // A publication whose file is removed before (or while) it is copied: the copy fails cleanly.
    const gone = fake.replace(/-000000$/, "-000001");
    await forgeManifest(gone, sha256);
    for (const reason of await refusedBy(gone))
      expect(reason).toMatch(/copying publication .* failed \(ENOENT\)/);
    for (const [replica, dir] of [
      [replicaA, "a"],
      [replicaB, "b"],
    ] as const) {
      const status = await syncStatus(replica.baseUrl);
      expect(status.liveSnapshot?.snapshotId).toBe(good);
      expect(await customerName(replica.baseUrl)).toBe("Renamed Bob");
      const local = await readdir(join(root, dir, "snapshots"));
      expect(local.filter((name) => name.startsWith(fake) || name.startsWith(gone))).toEqual([]);
    }
    await rm(join(publishDir, `${fake}.duckdb`));
  });

  it("keeps serving with the syncer killed, reports growing staleness, takes its next publication", async () => {
    const load = hammer([replicaA.baseUrl, replicaB.baseUrl]);
    await syncer.kill();
    const before = await syncStatus(replicaA.baseUrl);
    await sleep(2_000);
    const after = await syncStatus(replicaA.baseUrl);
    const age = (s: typeof before) => Number(s.liveSnapshotAge?.seconds ?? 0n);
    expect(age(after)).toBeGreaterThanOrEqual(age(before) + 1);
    expect(after.liveSnapshot?.snapshotId).toBe(before.liveSnapshot?.snapshotId);
    expect((await fetch(`${replicaB.baseUrl}/readyz`)).status).toBe(200);
    await emulator.sql(
      "UPDATE customers SET customer_name = 'Bob Returns' WHERE customer_id = 'C002'",
    );
    syncer = await startRole("syncer", join(root, "syncer"), publishDir, env);
    await until(60_000, async () => (await customerName(syncer.baseUrl)) === "Bob Returns");
    const id = (await syncStatus(syncer.baseUrl)).liveSnapshot?.snapshotId ?? "";
    await until(10_000, async () => (await published()) === id);
    await served([replicaA, replicaB], id);
    expect(await customerName(replicaB.baseUrl)).toBe("Bob Returns");
    const count = await load.stop();
    expect(count.errors).toEqual([]);
    expect(count.failed).toBe(0);
  });

  it("restarts a replica killed mid-copy and serves the newest publication", async () => {
    await emulator.sql(
      "UPDATE customers SET customer_name = 'Bob Again' WHERE customer_id = 'C002'",
    );
    // SIGKILL the moment the manifest changes, as the replica starts copying.
    const victim = replicaB;
    const watcher = watch(publishDir, (_event, name) => {
      if (name === "manifest.json") victim.process.kill("SIGKILL");
    });
    const id = await syncNow(syncer.baseUrl);
    await until(10_000, async () => (await published()) === id);
    watcher.close();
    await victim.kill();
    // What a kill in the middle of a copy leaves, made certain (a small file copies in
    // milliseconds): the first half of the file under its copy name.
    const snapshots = join(root, "b", "snapshots");
    const half = join(snapshots, `${id}.duckdb.copy`);
    await copyFile(join(publishDir, `${id}.duckdb`), half);
    const bytes = await readFile(half);
    await writeFile(half, bytes.subarray(0, bytes.length >> 1));
    replicaB = await startRole("replica", join(root, "b"), publishDir, env);
    await served([replicaB], id);
    expect(await customerName(replicaB.baseUrl)).toBe("Bob Again");
    expect((await readdir(snapshots)).filter((name) => name.endsWith(".copy"))).toEqual([]);
  });

  it("keeps the last few publications in the shared directory and removes older ones", async () => {
    const files = (await readdir(publishDir)).filter((name) => name.endsWith(".duckdb"));
    expect(files.length).toBeGreaterThan(0);
    expect(files.length).toBeLessThanOrEqual(3);
    expect(files).toContain(`${await published()}.duckdb`);
  });
});

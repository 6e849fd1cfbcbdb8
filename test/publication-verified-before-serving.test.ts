import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { SyncService } from "../gen/customeranalytics/v1/sync_pb.js";
import { loadConfig } from "../src/config.js";
import { createLogger } from "../src/server/logger.js";
import { type Service, startService } from "../src/service.js";
import { until } from "./support/scale-out-cluster.js";
import { BASIC_FIXTURE, startTestService, type TestService } from "./support/test-service.js";

// A syncer and a replica in this process (the local source, real DuckDB files, real
// listeners): what the replica refuses, what a skipped sync tells it, what the syncer prunes.

let root: string;
let publishDir: string;
let syncer: TestService;
let replica: Service;
let replicaUrl: string;

interface ManifestJson {
  snapshotId: string;
  dataAsOf: string;
  [key: string]: unknown;
}

const manifest = async () =>
  JSON.parse(await readFile(join(publishDir, "manifest.json"), "utf8")) as ManifestJson;

/** Replaces the manifest by rename, as the publisher does. */
async function writeManifest(text: string): Promise<void> {
  const tmp = join(publishDir, ".manifest.test.tmp");
  await writeFile(tmp, text);
  await rename(tmp, join(publishDir, "manifest.json"));
}

/** The replica's last refusal, once it contains `part`. */
async function refusal(part: string): Promise<string> {
  let reason = "";
  await until(10_000, async () => {
    const status = await createClient(
      SyncService,
      createConnectTransport({ baseUrl: replicaUrl, httpVersion: "1.1" }),
    ).getSyncStatus({});
    reason = status.publication?.lastRefusal ?? "";
    return reason.includes(part);
  });
  return reason;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "ca-publication-"));
  publishDir = join(root, "publish");
  await mkdir(publishDir);
  syncer = await startTestService({ ROLE: "syncer", PUBLISH_DIR: publishDir });
  await until(10_000, async () => (await manifest()).snapshotId === syncer.service.store.live?.id);
  const config = loadConfig({
    ROLE: "replica",
    PUBLISH_DIR: publishDir,
    PUBLISH_POLL: "100ms",
    SOURCE: "local",
    LOCAL_SOURCE_DIR: BASIC_FIXTURE,
    DATA_DIR: join(root, "replica"),
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    SHUTDOWN_GRACE: "500ms",
  });
  replica = await startService(config, createLogger(config.logLevel));
  replicaUrl = `http://127.0.0.1:${replica.server.port}`;
  await until(10_000, async () => replica.store.live?.id === syncer.service.store.live?.id);
});

afterAll(async () => {
  await replica?.close();
  await syncer?.close();
  await rm(root, { recursive: true, force: true });
});

describe("a replica in front of a syncer", () => {
  it("serves the syncer's snapshot, says so, refuses to sync from the source and, without Snowflake settings, to write", async () => {
    const client = createClient(
      SyncService,
      createConnectTransport({ baseUrl: replicaUrl, httpVersion: "1.1" }),
    );
    const status = await client.getSyncStatus({});
    const id = syncer.service.store.live?.id ?? "";
    expect(status.role).toBe("replica");
    expect(status.liveSnapshot?.snapshotId).toBe(id);
    expect(status.publication?.servingSnapshotId).toBe(id);
    expect(status.publication?.latestSnapshotId).toBe(id);
    expect(status.liveSnapshotAge).toBeDefined();
    const refused = await client.triggerSync({}).catch((err: unknown) => ConnectError.from(err));
    expect(refused).toBeInstanceOf(ConnectError);
    expect((refused as ConnectError).code).toBe(Code.FailedPrecondition);
    expect((refused as ConnectError).rawMessage).toMatch(
      /replica .*call TriggerSync on the syncer/,
    );
    const customers = createClient(
      CustomerService,
      createConnectTransport({ baseUrl: replicaUrl, httpVersion: "1.1" }),
    );
    const write = await customers
      .createCustomer({
        customer: {
          customerId: "W900",
          customerName: "Written on a replica",
          customerType: "retail",
          region: "West",
          registrationDate: "2024-02-29",
          status: "active",
        },
      })
      .catch((err: unknown) => ConnectError.from(err));
    expect(write).toBeInstanceOf(ConnectError);
    expect((write as ConnectError).code).toBe(Code.FailedPrecondition);
    expect((write as ConnectError).rawMessage).toMatch(
      /replica .*no Snowflake settings.*send writes to the syncer/,
    );
    const readyz = await (await fetch(`${replicaUrl}/readyz`)).text();
    expect(readyz).toMatch(
      new RegExp(`^ready\\nrole=replica snapshot=${id} age=\\d+s published=${id} lag=\\d+ms\\n$`),
    );
    const syncerReady = await (await fetch(`${syncer.baseUrl}/readyz`)).text();
    expect(syncerReady).toContain(`role=syncer snapshot=${id}`);
  });

  it("is not ready before the first publication, and says what it waits for", async () => {
    const empty = join(root, "empty-publish");
    await mkdir(empty);
    const config = loadConfig({
      ROLE: "replica",
      PUBLISH_DIR: empty,
      DATA_DIR: join(root, "waiting"),
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "silent",
      SHUTDOWN_GRACE: "500ms",
    });
    const waiting = await startService(config, createLogger(config.logLevel));
    try {
      const res = await fetch(`http://127.0.0.1:${waiting.server.port}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.text()).toMatch(
        /^not ready: no publication in .* yet: this replica serves once the syncer publishes\nrole=replica\n$/,
      );
    } finally {
      await waiting.close();
    }
  });

  it("brings its snapshot's data_as_of forward when the syncer finds the source unchanged", async () => {
    const before = (await manifest()).dataAsOf;
    const run = await syncer.service.syncer.sync("request");
    expect(run.state).toBe("skipped");
    await until(5_000, async () => (await manifest()).dataAsOf !== before);
    const confirmed = new Date((await manifest()).dataAsOf).getTime();
    await until(5_000, async () => replica.store.live?.dataAsOf.getTime() === confirmed);
  });

  it("refuses a manifest that is garbled, of another format, or naming a file that does not open", async () => {
    const good = await manifest();
    const id = good.snapshotId;
    await writeManifest("{ not json");
    expect(await refusal("not JSON")).toBe("the manifest is not JSON");
    await writeManifest(JSON.stringify({ ...good, format: 2 }));
    expect(await refusal("format")).toMatch(/format is 2, not 1/);
    await writeManifest(JSON.stringify({ ...good, sha256: "abc" }));
    expect(await refusal("sha256")).toMatch(/not a SHA-256 digest/);
    // Bytes that match their manifest exactly but are not a snapshot.
    const junkId = id.replace(/-[0-9a-f]{6}$/, "-0000aa");
    const junk = randomBytes(64 * 1024);
    await writeFile(join(publishDir, `${junkId}.duckdb`), junk);
    await writeManifest(
      JSON.stringify({
        ...good,
        snapshotId: junkId,
        file: `${junkId}.duckdb`,
        sha256: createHash("sha256").update(junk).digest("hex"),
        bytes: junk.length,
      }),
    );
    expect(await refusal(junkId)).toMatch(/cannot be opened/);
    expect(replica.store.live?.id).toBe(id);
    expect(
      (await readdir(join(root, "replica", "snapshots"))).filter((n) => n.includes(junkId)),
    ).toEqual([]);
    await rm(join(publishDir, `${junkId}.duckdb`));
    await writeManifest(JSON.stringify(good));
  });

  it("keeps the three newest publications and removes old partial files; the replica takes the newest", async () => {
    const stale = join(publishDir, ".s20200101T000000000Z-000000.duckdb.1.partial");
    await writeFile(stale, "half");
    const hoursAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(stale, hoursAgo, hoursAgo);
    for (let i = 0; i < 4; i++) {
      const run = await syncer.service.syncer.sync("request", { force: true });
      expect(run.state).toBe("succeeded");
    }
    const last = syncer.service.store.live?.id ?? "";
    await until(10_000, async () => (await manifest()).snapshotId === last);
    await until(10_000, async () => replica.store.live?.id === last);
    await until(5_000, async () => {
      const names = await readdir(publishDir);
      return (
        names.filter((n) => n.endsWith(".duckdb")).length === 3 &&
        !names.includes(".s20200101T000000000Z-000000.duckdb.1.partial")
      );
    });
    const names = (await readdir(publishDir)).filter((n) => !n.startsWith("."));
    expect(names.filter((n) => n.endsWith(".duckdb.sha256"))).toHaveLength(3);
    expect(names).toContain(`${last}.duckdb`);
    const metrics = await (await fetch(`${replicaUrl}/metrics`)).text();
    expect(metrics).toContain(`customer_analytics_snapshot_served{snapshot="${last}"} 1`);
    expect(metrics).toMatch(/customer_analytics_publication_age_seconds \d/);
  });
});

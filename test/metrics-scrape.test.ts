import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Freshness } from "../gen/customeranalytics/v1/common_pb.js";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { SyncService } from "../gen/customeranalytics/v1/sync_pb.js";
import { type EmulatorHandle, startEmulator } from "./emulator/index.js";
import { sleep } from "./support/child-service.js";
import { BASIC_FIXTURE, startTestService, type TestService } from "./support/test-service.js";

// GET /metrics, scraped like Prometheus would, on a service synced from the Snowflake emulator:
// RPC counts and latencies by procedure and code, answers by source (snapshot, live,
// stale_fallback), snapshot age, sync duration and outcome, rows per table, live-query
// concurrency and process metrics; values move with the calls made, and no label carries a
// request value.

const PASSWORD = "emulator";
const GET_CUSTOMER = "/customeranalytics.v1.CustomerService/GetCustomer";

let emulator: EmulatorHandle;
let running: TestService;
let customers: ReturnType<typeof createClient<typeof CustomerService>>;
let sync: ReturnType<typeof createClient<typeof SyncService>>;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, dataDir: BASIC_FIXTURE });
  running = await startTestService({
    SOURCE: "snowflake",
    LOCAL_SOURCE_DIR: "",
    SNOWFLAKE_ACCOUNT: "emulator",
    SNOWFLAKE_USER: "analytics",
    SNOWFLAKE_PASSWORD: PASSWORD,
    SNOWFLAKE_DATABASE: "ANALYTICS",
    SNOWFLAKE_SCHEMA: "PUBLIC",
    SNOWFLAKE_ACCESS_URL: emulator.url,
    LIVE_QUERY_TIMEOUT: "1500ms",
  });
  const transport = createGrpcTransport({ baseUrl: running.baseUrl });
  customers = createClient(CustomerService, transport);
  sync = createClient(SyncService, transport);
});

afterAll(async () => {
  await running?.close();
  await emulator?.close();
});

/** One scrape as `series{labels} value` → value. */
async function scrape(): Promise<{ text: string; value: (series: string) => number | undefined }> {
  const res = await fetch(`${running.baseUrl}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return { text, value: (series) => values.get(series) };
}

const rpcCount = (procedure: string, code: string) =>
  `customer_analytics_rpc_requests_total{procedure="${procedure}",code="${code}"}`;

describe("GET /metrics", () => {
  it("counts RPCs and answers by procedure, code and source", async () => {
    const before = await scrape();
    const okBefore = before.value(rpcCount(GET_CUSTOMER, "ok")) ?? 0;
    const snapshotBefore = before.value('customer_analytics_answers_total{source="snapshot"}') ?? 0;
    await customers.getCustomer({ customerId: "C002" });
    await customers.getCustomer({ customerId: "C002" });
    await customers.getCustomer(
      { customerId: "C002", readOptions: { freshness: Freshness.LIVE_REQUIRED } },
      { timeoutMs: 10_000 },
    );
    await customers.getCustomer({ customerId: "NO-SUCH-CUSTOMER" }).catch(() => undefined);

    const after = await scrape();
    expect(after.value(rpcCount(GET_CUSTOMER, "ok"))).toBe(okBefore + 3);
    expect(after.value(rpcCount(GET_CUSTOMER, "not_found"))).toBeGreaterThanOrEqual(1);
    expect(
      after.value(
        `customer_analytics_rpc_duration_seconds_count{procedure="${GET_CUSTOMER}",code="ok"}`,
      ),
    ).toBe(okBefore + 3);
    expect(after.value('customer_analytics_answers_total{source="snapshot"}')).toBe(
      snapshotBefore + 2,
    );
    expect(after.value('customer_analytics_answers_total{source="live"}')).toBeGreaterThanOrEqual(
      1,
    );
    expect(after.text).not.toContain("NO-SUCH-CUSTOMER");
    expect(after.text).not.toContain(PASSWORD);
  });

  it("shows a live query in flight, then the stale fallback it ended in", async () => {
    await emulator.setFaults({ hangQueries: { count: 1, sqlPattern: "customer_id" } });
    const call = customers.getCustomer(
      { customerId: "C002", readOptions: { maxStaleness: durationFromMs(0) } },
      { timeoutMs: 10_000 },
    );
    let peak = 0;
    for (let i = 0; i < 20 && peak === 0; i++) {
      await sleep(50);
      peak = (await scrape()).value("customer_analytics_live_queries_active") ?? 0;
    }
    expect(peak).toBe(1);
    const res = await call;
    expect(res.meta?.staleFallback).toBe(true);
    const after = await scrape();
    expect(after.value("customer_analytics_live_queries_active")).toBe(0);
    expect(after.value("customer_analytics_live_queries_waiting")).toBe(0);
    expect(after.value("customer_analytics_live_query_slots")).toBe(4);
    expect(after.value('customer_analytics_answers_total{source="stale_fallback"}')).toBe(1);
  });

  it("reports the snapshot's age, the syncs and the rows of each table", async () => {
    const before = await scrape();
    const runs = (s: typeof before) =>
      s.value('customer_analytics_sync_duration_seconds_count{outcome="succeeded"}') ?? 0;
    await sync.triggerSync({ force: true });
    await running.service.syncer.idle();
    const after = await scrape();
    expect(runs(after)).toBe(runs(before) + 1);
    expect(
      after.value('customer_analytics_sync_runs_total{outcome="succeeded",trigger="request"}'),
    ).toBe(1);
    const tables = running.service.store.live?.tables ?? [];
    expect(tables.length).toBeGreaterThan(3);
    for (const { table, rows } of tables) {
      expect(after.value(`customer_analytics_sync_table_rows{table="${table}"}`), table).toBe(rows);
    }
    expect(after.value('customer_analytics_sync_table_rows{table="customers"}')).toBe(5);
    const age = after.value("customer_analytics_snapshot_age_seconds");
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(60);
  });

  it("includes the process metrics of this registry", async () => {
    const { text } = await scrape();
    expect(text).toContain("process_cpu_user_seconds_total");
    expect(text).toContain("nodejs_heap_size_used_bytes");
    expect(text).toContain("nodejs_eventloop_lag_seconds");
  });
});

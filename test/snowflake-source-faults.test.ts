import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SnowflakeSourceOptions, snowflakeSource } from "../src/source/snowflake-source.js";
import type { Source } from "../src/source/source.js";
import type { BaseTable } from "../src/source/table-feed.js";
import { within } from "./emulator/driver-helpers.js";
import { type EmulatorHandle, type FaultConfig, startEmulator } from "./emulator/index.js";
import { emulatorConfig, type SyncHarness, syncHarness } from "./support/snowflake-harness.js";

const RELATIONSHIPS = 30_000;
const options: SnowflakeSourceOptions = {
  driverLog: () => undefined,
  batchRows: 2_000,
  streamIdleTimeoutMs: 4_000,
  statementTimeoutSeconds: 15,
};

let emulator: EmulatorHandle;

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    generate: { customers: 3_000, products: 20, customer_products: RELATIONSHIPS },
    inlineRowLimit: 1_000,
    chunkRows: 5_000,
    asyncThresholdMs: 300,
    resultPollHoldMs: 500,
  });
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(async () => {
  await emulator.clearFaults();
  await emulator.resetStats();
});

/** Passes batches through, calling `inject` once, right after the first batch was taken. */
async function* afterFirstBatch<T>(batches: AsyncIterable<T>, inject: () => Promise<void>) {
  let first = true;
  for await (const batch of batches) {
    yield batch;
    if (first) {
      first = false;
      await inject();
    }
  }
}

/** `source`, with `faults` injected while `table` streams (after its first batch). */
function faultsWhileStreaming(source: Source, table: BaseTable, faults: FaultConfig): Source {
  return {
    kind: source.kind,
    fingerprint: () => source.fingerprint(),
    close: () => source.close(),
    async load() {
      const load = await source.load();
      const feed = load.tables[table];
      if (feed.kind !== "rows") throw new Error("expected a rows feed");
      const batches = afterFirstBatch(feed.batches, () => emulator.setFaults(faults));
      return { ...load, tables: { ...load.tables, [table]: { ...feed, batches } } };
    },
  };
}

/** Runs one sync of `source` in a fresh store; the run must end within 40 s. */
async function syncOnce(source: Source, first?: (harness: SyncHarness) => Promise<void>) {
  const harness = await syncHarness(source);
  try {
    await first?.(harness);
    const run = await within(40_000, harness.syncer.sync("request", { force: true }), "sync");
    return { run, live: harness.store.live };
  } finally {
    await harness.close();
    await source.close();
  }
}

const relationshipRows = (run: { tables: { table: string; rows: number }[] }) =>
  run.tables.find((t) => t.table === "customer_products")?.rows;

describe("faults during a load", () => {
  it("recovers from HTTP 503 on the query request (the driver retries)", async () => {
    await emulator.setFaults({ http5xx: { count: 1, pathPattern: "query-request" } });
    const { run } = await syncOnce(snowflakeSource(emulatorConfig(emulator.url), options));
    expect(run.message).toBe("");
    expect(relationshipRows(run)).toBe(RELATIONSHIPS);
    expect((await emulator.stats()).faults.http5xx).toBe(1);
  });

  it("recovers from a connection dropped in the middle of a chunk", async () => {
    const source = snowflakeSource(emulatorConfig(emulator.url), options);
    const { run } = await syncOnce(
      faultsWhileStreaming(source, "customer_products", { dropChunks: { count: 1 } }),
    );
    expect(run.message).toBe("");
    expect(relationshipRows(run)).toBe(RELATIONSHIPS);
    expect((await emulator.stats()).chunks.dropped).toBe(1);
  });

  it("renews a session that expires mid-load and finishes the load", async () => {
    const source = snowflakeSource(emulatorConfig(emulator.url), options);
    const { run } = await syncOnce(
      faultsWhileStreaming(source, "customers", { expireSessions: 1 }),
    );
    expect(run.message).toBe("");
    expect(run.state).toBe("succeeded");
    const stats = await emulator.stats();
    expect(stats.faults.expireSessions).toBe(1);
    expect(stats.tokenRenewals).toBe(1);
  });

  it("fails clearly when chunks cannot be downloaded, and the last snapshot keeps serving", async () => {
    // One 404 the driver survives (it re-requests an interrupted result stream a few times);
    // a chunk that keeps failing must end the load with a clear error.
    const source = snowflakeSource(emulatorConfig(emulator.url), options);
    const harness = await syncHarness(
      faultsWhileStreaming(source, "customer_products", { failChunks: { count: 50, status: 404 } }),
    );
    const plain = await syncHarness(source);
    try {
      const good = await within(40_000, plain.syncer.sync("startup"), "first sync");
      expect(good.state).toBe("succeeded");
      const first = await within(40_000, harness.syncer.sync("startup"), "sync");
      expect(first.state).toBe("failed");
      expect(harness.store.live).toBeUndefined();
      expect(first.message).toMatch(/downloading a result chunk from Snowflake failed/);
      expect(first.message).toMatch(/while streaming customer_products at /);
      expect(first.message).toContain("(402002)");
      const previous = plain.store.live?.id;
      await emulator.setFaults({ failChunks: { count: 50, status: 404 } });
      const again = await within(40_000, plain.syncer.sync("request", { force: true }), "sync");
      expect(again.state).toBe("failed");
      expect(plain.store.live?.id).toBe(previous);
    } finally {
      await emulator.clearFaults();
      await harness.close();
      await plain.close();
      await source.close();
    }
  });

  it("abandons a result whose chunks never arrive instead of hanging", async () => {
    const source = snowflakeSource(emulatorConfig(emulator.url), options);
    const started = Date.now();
    const { run } = await syncOnce(
      faultsWhileStreaming(source, "customer_products", { dropChunks: { count: 1_000 } }),
    );
    expect(run.state).toBe("failed");
    expect(run.message).toMatch(
      /no rows arrived from Snowflake for 4000 ms while streaming customer_products/,
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    await emulator.clearFaults();
  });

  it("cancels a statement that never answers, at the statement timeout", async () => {
    await emulator.setFaults({ hangQueries: { count: 1, sqlPattern: "SELECT customer_id" } });
    const started = Date.now();
    const { run } = await syncOnce(
      snowflakeSource(emulatorConfig(emulator.url), { ...options, statementTimeoutSeconds: 2 }),
    );
    expect(run.state).toBe("failed");
    expect(run.message).toMatch(
      /Snowflake did not answer within 2000 ms while streaming customers at .*; the statement was canceled/,
    );
    expect(Date.now() - started).toBeLessThan(15_000);
    await within(5_000, waitForCancel(), "cancel");
  });
});

async function waitForCancel(): Promise<void> {
  while ((await emulator.stats()).queries.canceled < 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

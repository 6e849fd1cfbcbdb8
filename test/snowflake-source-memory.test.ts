import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snowflakeSource } from "../src/source/snowflake-source.js";
import type { Source } from "../src/source/source.js";
import { spawnEmulator } from "./emulator/child-process.js";
import { within } from "./emulator/driver-helpers.js";
import type { EmulatorHandle } from "./emulator/index.js";
import { emulatorConfig, syncHarness } from "./support/snowflake-harness.js";

/**
 * 300k rows keep this test near 15 s here; 1,000,000 rows take about 50 s end to end on this
 * machine (the driver's row parsing dominates) with the same flat post-GC heap (~50 MB).
 */
const RELATIONSHIPS = 300_000;
const MB = 1024 * 1024;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let emulator: EmulatorHandle;

beforeAll(async () => {
  // A child process, so the emulator's materialised result does not count in this process.
  emulator = await spawnEmulator({
    EMULATOR_GENERATE: `customers=20000,products=50,customer_products=${RELATIONSHIPS}`,
  });
});

afterAll(async () => {
  await emulator?.close();
});

/** Heap in use after a full collection: what the load really holds on to. */
function retainedHeap(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

/** `source`, noting the retained heap every fifth batch of customer_products. */
function measuring(source: Source, samples: number[]): Source {
  return {
    kind: source.kind,
    fingerprint: () => source.fingerprint(),
    close: () => source.close(),
    async load() {
      const load = await source.load();
      const feed = load.tables.customer_products;
      if (feed.kind !== "rows") throw new Error("expected a rows feed");
      const streamed = feed.batches;
      async function* batches() {
        let n = 0;
        for await (const batch of streamed) {
          if (n++ % 5 === 0) samples.push(retainedHeap());
          yield batch;
        }
      }
      return {
        ...load,
        tables: { ...load.tables, customer_products: { ...feed, batches: batches() } },
      };
    },
  };
}

describe("streaming a large table", () => {
  it(`loads ${RELATIONSHIPS} relationships through chunks with flat memory`, async () => {
    const source = snowflakeSource(emulatorConfig(emulator.url), {
      driverLog: () => undefined,
      // This test is about streaming rows; the bulk path is tested in snowflake-bulk-sync.
      bulk: "off",
    });
    const samples: number[] = [];
    const harness = await syncHarness(measuring(source, samples));
    try {
      await source.fingerprint();
      const heapBefore = retainedHeap();
      const rssBefore = process.memoryUsage().rss;
      let rssPeak = rssBefore;
      const sampler = setInterval(() => {
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      }, 50);
      const started = Date.now();
      const run = await within(90_000, harness.syncer.sync("startup"), "sync").finally(() =>
        clearInterval(sampler),
      );
      const seconds = (Date.now() - started) / 1000;
      expect(run.message).toBe("");
      expect(run.tables.find((t) => t.table === "customer_products")?.rows).toBe(RELATIONSHIPS);
      const growth = samples.map((s) => (s - heapBefore) / MB);
      const early = Math.max(...growth.slice(0, 2));
      const late = Math.max(...growth.slice(-2));
      console.info(
        `${RELATIONSHIPS} rows in ${seconds.toFixed(1)} s; retained heap growth (MB) ${growth
          .map((g) => g.toFixed(0))
          .join(" ")}; peak RSS growth ${((rssPeak - rssBefore) / MB).toFixed(0)} MB`,
      );
      expect(samples.length).toBeGreaterThanOrEqual(6);
      // Bounded: about one batch plus the driver's prefetched chunks, whatever the row count.
      expect(Math.max(...growth)).toBeLessThan(150);
      // Flat: holding on to streamed rows would add ~75 MB between the first and last samples.
      expect(late - early).toBeLessThan(30);
      // Generous: includes V8's headroom between collections and DuckDB building the snapshot.
      expect((rssPeak - rssBefore) / MB).toBeLessThan(600);
    } finally {
      await harness.close();
      await source.close();
    }
  });
});

import { createServer } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isErrorKind } from "../src/app-error.js";
import type { LiveRunner } from "../src/query/read-router.js";
import { Semaphore } from "../src/source/snowflake-live.js";
import { type SnowflakeSourceOptions, snowflakeSource } from "../src/source/snowflake-source.js";
import { waitUntil, within } from "./emulator/driver-helpers.js";
import { type EmulatorHandle, startEmulator } from "./emulator/index.js";
import { emulatorConfig } from "./support/snowflake-harness.js";

const quiet: SnowflakeSourceOptions = { driverLog: () => undefined };

let emulator: EmulatorHandle;

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    dataDir: "test/fixtures/basic",
    asyncThresholdMs: 200,
    resultPollHoldMs: 300,
  });
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(async () => {
  await emulator.clearFaults();
  await emulator.resetStats();
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(outcome instanceof Error)) throw new Error("expected the call to fail");
  return outcome;
}

describe("live queries", () => {
  it("returns rows shaped like snapshot rows: lower-case keys, exact decimals, dates, numbers", async () => {
    const source = snowflakeSource(emulatorConfig(emulator.url), quiet);
    try {
      const live: LiveRunner = source.live;
      const rows = await live.all(
        `SELECT customer_id, COUNT(*) AS holdings, SUM(value) AS total, MIN(start_date) AS first_start,
                MAX(end_date) AS last_end, COUNT(*) > 2 AS many
         FROM customer_products WHERE customer_id IN (?, ?) GROUP BY customer_id ORDER BY customer_id`,
        ["C001", "C003"],
      );
      expect(rows).toEqual([
        {
          customer_id: "C001",
          holdings: 3,
          total: "2600.15",
          first_start: "2020-01-20",
          last_end: "2023-12-31",
          many: true,
        },
        {
          customer_id: "C003",
          holdings: 1,
          total: "19.99",
          first_start: "2022-03-11",
          last_end: "2022-12-31",
          many: false,
        },
      ]);
      const [nulls] = await live.all(
        "SELECT end_date, value FROM customer_products WHERE relationship_id = ?",
        ["R001"],
      );
      expect(nulls).toEqual({ end_date: null, value: "100.10" });
      const [big] = await live.all("SELECT ? AS n, 12345678901234567890 AS huge", [42n]);
      expect(big).toEqual({ n: "42", huge: "12345678901234567890" });
    } finally {
      await source.close();
    }
  });

  it("never runs more than maxConcurrentLive statements at once", async () => {
    const source = snowflakeSource(emulatorConfig(emulator.url), {
      ...quiet,
      maxConcurrentLive: 2,
    });
    try {
      await source.live.all("SELECT 1 AS warm", []);
      await emulator.setFaults({
        slowQueries: { count: 6, delayMs: 400, sqlPattern: "slow_marker" },
      });
      let peak = 0;
      let polling = true;
      const poll = (async () => {
        while (polling) {
          const health = await fetch(`${emulator.url}/__emulator/health`);
          const { running } = (await health.json()) as { running: number };
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const started = Date.now();
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => source.live.all("SELECT ? AS slow_marker", [i])),
      );
      const elapsed = Date.now() - started;
      polling = false;
      await poll;
      expect(answers.map((rows) => rows[0]?.slow_marker)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(elapsed).toBeGreaterThanOrEqual(3 * 400 - 50);
      expect(peak).toBeLessThanOrEqual(2);
      expect(peak).toBeGreaterThanOrEqual(1);
    } finally {
      await source.close();
    }
  });

  it("cancels a statement that outlives the live timeout and reports a timeout", async () => {
    const source = snowflakeSource(emulatorConfig(emulator.url), {
      ...quiet,
      liveTimeoutMs: 1_000,
    });
    try {
      await source.live.all("SELECT 1 AS warm", []);
      await emulator.setFaults({ hangQueries: { count: 1, sqlPattern: "hang_marker" } });
      const started = Date.now();
      const error = await failure(source.live.all("SELECT 1 AS hang_marker", []));
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(isErrorKind(error, "unavailable")).toBe(true);
      expect(error).toMatchObject({ reason: "timeout" });
      expect(error.message).toMatch(
        /did not answer a live query within 1000 ms; the statement was canceled/,
      );
      await waitUntil(async () => (await emulator.stats()).queries.canceled === 1, 5_000, "cancel");
      expect(await source.live.all("SELECT 2 AS after", [])).toEqual([{ after: 2 }]);
    } finally {
      await source.close();
    }
  });

  it("bounds the wait for a slot: a waiter gives up at its timeout, a release hands over", async () => {
    const slots = new Semaphore(1);
    expect(await slots.acquire(10)).toBe(true);
    const started = Date.now();
    expect(await slots.acquire(60)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    const waiting = slots.acquire(5_000);
    slots.release();
    expect(await waiting).toBe(true);
    slots.release();
    expect(await slots.acquire(0)).toBe(true);
  });

  it("turns an unreachable Snowflake into the unavailable error quickly", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const source = snowflakeSource(emulatorConfig(url), quiet);
    try {
      const started = Date.now();
      const error = await within(10_000, failure(source.live.all("SELECT 1 AS one", [])), "call");
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(isErrorKind(error, "unavailable")).toBe(true);
      expect(error).toMatchObject({ reason: "unreachable" });
      expect(error.message).toContain(`cannot reach Snowflake at ${url}`);
    } finally {
      await source.close();
    }
  });

  it("reports a failing statement with Snowflake's code, as unavailable", async () => {
    const source = snowflakeSource(emulatorConfig(emulator.url), quiet);
    try {
      const error = await failure(source.live.all("SELECT * FROM no_such_table", []));
      expect(isErrorKind(error, "unavailable")).toBe(true);
      expect(error).toMatchObject({ reason: "query", code: "002003" });
      expect(error.message).toMatch(/NO_SUCH_TABLE.*\(002003\/42S02\)/s);
    } finally {
      await source.close();
    }
  });
});

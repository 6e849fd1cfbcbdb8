import type { Connection, SnowflakeError } from "snowflake-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cancel,
  connectDriver,
  destroy,
  run,
  start,
  waitUntil,
  within,
} from "./emulator/driver-helpers.js";
import { type EmulatorHandle, startEmulator } from "./emulator/index.js";

let emulator: EmulatorHandle;
let connection: Connection;

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    generate: { customers: 20, products: 5, customer_products: 50 },
    asyncThresholdMs: 200,
    resultPollHoldMs: 300,
  });
  connection = await connectDriver(emulator.url);
});

afterAll(async () => {
  await destroy(connection);
  await emulator.close();
});

const errorOf = async (promise: Promise<unknown>): Promise<SnowflakeError> => {
  try {
    await promise;
  } catch (error) {
    return error as SnowflakeError;
  }
  throw new Error("expected the promise to reject");
};

const COUNT = "SELECT count(*) AS n FROM customers";

describe("fault injection with the real driver", () => {
  it("renews an expired session (390112) with the master token and replays the query", async () => {
    await emulator.resetStats();
    await emulator.setFaults({ expireSessions: 1 });
    expect(await run(connection, COUNT)).toEqual([{ N: 20 }]);
    const stats = await emulator.stats();
    expect(stats.tokenRenewals).toBe(1);
    expect(stats.faults.expireSessions).toBe(1);
    expect(stats.byRoute.query).toBe(2);
    expect(await run(connection, COUNT)).toEqual([{ N: 20 }]);
  });

  it("renews when the session token's lifetime runs out", async () => {
    const shortLived = await startEmulator({ port: 0, sessionValiditySeconds: 1 });
    try {
      const conn = await connectDriver(shortLived.url);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await run(conn, "SELECT 1 AS one")).toEqual([{ ONE: 1 }]);
      expect((await shortLived.stats()).tokenRenewals).toBe(1);
      await destroy(conn);
    } finally {
      await shortLived.close();
    }
  });

  it("retries a query-request answered with HTTP 503", async () => {
    await emulator.resetStats();
    await emulator.setFaults({ http5xx: { count: 1, status: 503, pathPattern: "query-request" } });
    expect(await within(20_000, run(connection, COUNT), "retried query")).toEqual([{ N: 20 }]);
    const stats = await emulator.stats();
    expect(stats.faults.http5xx).toBe(1);
    expect(stats.byRoute.query).toBe(2);
    expect(stats.queries.received).toBe(1);
  });

  it("surfaces HTTP 5xx on login when the driver may not retry", async () => {
    await emulator.setFaults({ http5xx: { count: 1, status: 502, pathPattern: "login-request" } });
    const error = await errorOf(
      within(10_000, connectDriver(emulator.url, { sfRetryMaxLoginRetries: 0 }), "login"),
    );
    expect([error.name, error.code, error.message]).toEqual([
      "RequestFailedError",
      401002,
      "Request to Snowflake failed.",
    ]);
    await emulator.clearFaults();
  });

  it("rejects the next login with 390100 on request", async () => {
    await emulator.setFaults({ rejectLogins: 1 });
    const error = await errorOf(connectDriver(emulator.url));
    expect(error.code).toBe("390100");
    const ok = await connectDriver(emulator.url);
    await destroy(ok);
  });

  it("answers a slow query with 333333 and the driver polls the result URL", async () => {
    await emulator.resetStats();
    await emulator.setFaults({ slowQueries: { count: 1, delayMs: 900, sqlPattern: "count" } });
    const started = Date.now();
    expect(await within(10_000, run(connection, COUNT), "slow query")).toEqual([{ N: 20 }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(850);
    const stats = await emulator.stats();
    expect(stats.queries.inProgressReplies).toBeGreaterThanOrEqual(1);
    expect(stats.queries.resultPolls).toBeGreaterThanOrEqual(1);
    expect(stats.queries.resultPolls).toBeLessThan(10);
  });

  it("cancels a hanging query after 333333 (by query id) with 000604", async () => {
    await emulator.resetStats();
    await emulator.setFaults({ hangQueries: { count: 1 } });
    const { statement, outcome } = start(connection, "SELECT * FROM customers");
    await waitUntil(
      async () => (await emulator.stats()).queries.resultPolls >= 1,
      5000,
      "the driver to poll",
    );
    expect(await cancel(statement)).toBeUndefined();
    const { err } = await within(5000, outcome, "cancelled statement");
    expect([err?.code, err?.sqlState]).toEqual(["000604", "57014"]);
    expect(err?.message).toBe("SQL execution canceled");
    expect((await emulator.stats()).queries.canceled).toBe(1);
    expect((await emulator.stats()).byRoute.abort).toBe(1);
  });

  it("cancels a hanging query before its id is known (abort by requestId)", async () => {
    await emulator.setFaults({ hangQueries: { count: 1 } });
    const { statement, outcome } = start(connection, "SELECT * FROM products");
    await waitUntil(
      async () => (await emulator.stats()).faults.hangQueries === 2,
      5000,
      "the query to hang",
    );
    expect(await cancel(statement)).toBeUndefined();
    const { err } = await within(5000, outcome, "cancelled statement");
    expect(err?.code).toBe("000604");
  });

  it("adds latency to every request", async () => {
    await emulator.setFaults({ latencyMs: 150 });
    const started = Date.now();
    await run(connection, "SELECT 1 AS one");
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await emulator.setFaults({ latencyMs: 0 });
  });

  it("supports asyncExec with status monitoring and getResultsFromQueryId", async () => {
    const queryId = await new Promise<string>((resolve, reject) => {
      connection.execute({
        sqlText: COUNT,
        asyncExec: true,
        complete: (err, statement) => (err ? reject(err) : resolve(statement.getQueryId())),
      });
    });
    await waitUntil(
      async () => (await connection.getQueryStatus(queryId)) === "SUCCESS",
      5000,
      "SUCCESS status",
    );
    const statement = await connection.getResultsFromQueryId({ queryId, sqlText: COUNT });
    const rows = await new Promise<unknown[]>((resolve, reject) => {
      const collected: unknown[] = [];
      statement
        .streamRows()
        .on("data", (row: unknown) => collected.push(row))
        .on("error", reject)
        .on("end", () => resolve(collected));
    });
    expect(rows).toEqual([{ N: 20 }]);
  });

  it("fails queries on a destroyed connection without contacting the emulator", async () => {
    const extra = await connectDriver(emulator.url);
    await destroy(extra);
    const before = (await emulator.stats()).byRoute.query ?? 0;
    const error = await errorOf(run(extra, "SELECT 1"));
    expect(error.code).toBe(407002);
    expect((await emulator.stats()).byRoute.query ?? 0).toBe(before);
  });
});

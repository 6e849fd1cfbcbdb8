import type { Readable } from "node:stream";
import type { Connection, SnowflakeError } from "snowflake-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connectDriver,
  type DriverRow,
  destroy,
  executeStreaming,
  within,
} from "./emulator/driver-helpers.js";
import { type EmulatorHandle, startEmulator } from "./emulator/index.js";

const RELATIONSHIPS = 200_000;

let emulator: EmulatorHandle;
let connection: Connection;

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    generate: { customers: 5_000, products: 50, customer_products: RELATIONSHIPS },
    inlineRowLimit: 1_000,
    chunkRows: 20_000,
  });
  connection = await connectDriver(emulator.url);
});

afterAll(async () => {
  await destroy(connection);
  await emulator.close();
});

/** Reads a row stream to the end, summing cents exactly and checking order. */
function consume(
  stream: Readable,
): Promise<{ rows: number; cents: bigint; ordered: boolean; last: string }> {
  return new Promise((resolve, reject) => {
    let rows = 0;
    let cents = 0n;
    let ordered = true;
    let last = "";
    stream.on("data", (row: DriverRow) => {
      rows += 1;
      const id = String(row.RELATIONSHIP_ID);
      if (id <= last) ordered = false;
      last = id;
      cents += BigInt(String(row.VALUE).replace(".", ""));
    });
    stream.on("error", reject);
    stream.on("end", () => resolve({ rows, cents, ordered, last }));
  });
}

describe("large results through chunks", () => {
  it("streams 200k rows through gzipped chunks with streamResult, decimals exact", async () => {
    const [expected] = (
      await emulator.sql("SELECT sum(value)::VARCHAR AS total FROM customer_products")
    ).rows;
    const statement = await executeStreaming(
      connection,
      "SELECT relationship_id, value FROM customer_products ORDER BY relationship_id",
    );
    expect(statement.getNumRows()).toBe(RELATIONSHIPS);
    const result = await within(
      60_000,
      consume(statement.streamRows({ fetchAsString: ["Number"] })),
      "stream",
    );
    expect(result.rows).toBe(RELATIONSHIPS);
    expect(result.ordered).toBe(true);
    expect(result.last).toBe("R000200000");
    expect(result.cents.toString()).toBe(String(expected?.[0]).replace(".", ""));
    const stats = await emulator.stats();
    expect(stats.chunks.served).toBe(10);
    expect(stats.chunks.bytes).toBeGreaterThan(0);
  });

  it("streams a row range (start/end) of a chunked result", async () => {
    const statement = await executeStreaming(
      connection,
      "SELECT relationship_id, value FROM customer_products ORDER BY relationship_id LIMIT 50000",
    );
    const ids: string[] = [];
    await within(
      30_000,
      new Promise<void>((resolve, reject) => {
        const stream = statement.streamRows({ start: 20_998, end: 21_001 });
        stream.on("data", (row: DriverRow) => ids.push(String(row.RELATIONSHIP_ID)));
        stream.on("error", reject);
        stream.on("end", () => resolve());
      }),
      "range stream",
    );
    expect(ids).toEqual(["R000020999", "R000021000", "R000021001", "R000021002"]);
  });

  it("recovers when the connection drops in the middle of a chunk (the driver retries)", async () => {
    await emulator.resetStats();
    await emulator.setFaults({ dropChunks: { count: 1 } });
    const statement = await executeStreaming(
      connection,
      "SELECT relationship_id, value FROM customer_products ORDER BY relationship_id LIMIT 25000",
    );
    const result = await within(
      30_000,
      consume(statement.streamRows({ fetchAsString: ["Number"] })),
      "stream",
    );
    expect(result.rows).toBe(25_000);
    expect(result.ordered).toBe(true);
    const stats = await emulator.stats();
    expect(stats.chunks.dropped).toBe(1);
    expect(stats.faults.dropChunks).toBe(1);
    expect(stats.byRoute.chunk).toBe(stats.chunks.served + 1);
  });

  it("surfaces a failed chunk download as a stream error instead of hanging", async () => {
    await emulator.setFaults({ failChunks: { count: 1, status: 404 } });
    const statement = await executeStreaming(
      connection,
      "SELECT relationship_id, value FROM customer_products ORDER BY relationship_id LIMIT 25000",
    );
    const error = await within(
      10_000,
      consume(statement.streamRows()).then(
        () => undefined,
        (err: unknown) => err as SnowflakeError,
      ),
      "failing stream",
    );
    expect(error?.code).toBe(402002);
    expect(error?.message).toContain("Request to S3/Blob failed");
  });
});

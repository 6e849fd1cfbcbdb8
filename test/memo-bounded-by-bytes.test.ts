import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterEach, describe, expect, it } from "vitest";
import { SegmentationService } from "../gen/customeranalytics/v1/segmentation_pb.js";
import { TrendService } from "../gen/customeranalytics/v1/trend_pb.js";
import { startTestService, type TestService } from "./support/test-service.js";

// Remembered answers are bounded by bytes, not by count: equivalent requests (extra unknown
// regions, repeated or reordered filters) share one entry, a stream of distinct requests never
// holds more than MEMO_MAX_BYTES, and an answer above MEMO_MAX_ANSWER_BYTES is not kept.

let running: TestService | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** The memo gauges as /metrics reports them. */
async function memo(baseUrl: string): Promise<{ bytes: number; entries: number }> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const gauge = (name: string) => {
    const line = text.split("\n").find((l) => l.startsWith(`customer_analytics_${name} `));
    if (line === undefined) throw new Error(`no ${name} in /metrics`);
    return Number(line.split(" ")[1]);
  };
  return { bytes: gauge("memo_bytes"), entries: gauge("memo_entries") };
}

function trends(baseUrl: string) {
  return createClient(TrendService, createGrpcTransport({ baseUrl }));
}

describe("the memo of remembered answers", () => {
  it("keeps one entry for a stream of equivalent GetTrends requests", async () => {
    running = await startTestService();
    const client = trends(running.baseUrl);
    const first = await client.getTrends({ regions: ["North"] });
    const baseline = await memo(running.baseUrl);
    for (let i = 0; i < 60; i++) {
      const regions = ["North", `Nowhere-${i}`, "North", `nowhere-${i}-again`].sort(() =>
        i % 2 === 0 ? 1 : -1,
      );
      const answer = await client.getTrends({ regions });
      expect(answer.series).toEqual(first.series);
    }
    expect(await memo(running.baseUrl)).toEqual(baseline);

    const nothing = await client.getTrends({ regions: ["Atlantis"] });
    const afterUnknown = await memo(running.baseUrl);
    for (let i = 0; i < 20; i++) {
      const answer = await client.getTrends({ regions: [`Atlantis-${i}`, `Lemuria-${i}`] });
      expect(answer.series).toEqual(nothing.series);
    }
    expect(await memo(running.baseUrl)).toEqual(afterUnknown);
    expect(afterUnknown.entries).toBe(baseline.entries + 1);
  });

  it("keeps one entry for equivalent GetSegmentSummary requests", async () => {
    running = await startTestService();
    const client = createClient(
      SegmentationService,
      createGrpcTransport({ baseUrl: running.baseUrl }),
    );
    const first = await client.getSegmentSummary({ regions: ["South", "North"] });
    const baseline = await memo(running.baseUrl);
    for (let i = 0; i < 30; i++) {
      const answer = await client.getSegmentSummary({
        regions: ["North", `Nowhere-${i}`, "South", "North"],
        customerTypes: [],
      });
      expect(answer.segments).toEqual(first.segments);
    }
    expect(await memo(running.baseUrl)).toEqual(baseline);
  });

  it("never holds more than MEMO_MAX_BYTES for distinct requests", async () => {
    const limit = 40_000;
    running = await startTestService({ MEMO_MAX_BYTES: String(limit) });
    const client = trends(running.baseUrl);
    let most = 0;
    for (let day = 1; day <= 40; day++) {
      await client.getTrends({
        fromDate: "2020-01-01",
        toDate: `2022-01-${String((day % 28) + 1).padStart(2, "0")}`,
        granularity: 1 + (day % 3),
      });
      const usage = await memo(running.baseUrl);
      expect(usage.bytes).toBeLessThanOrEqual(limit);
      most = Math.max(most, usage.bytes);
    }
    expect(most).toBeGreaterThan(0);
    expect((await memo(running.baseUrl)).entries).toBeLessThan(40);
  });

  it("does not remember an answer larger than MEMO_MAX_ANSWER_BYTES", async () => {
    running = await startTestService({ MEMO_MAX_ANSWER_BYTES: "2000" });
    const client = trends(running.baseUrl);
    await client.getTrends({ granularity: 3, fromDate: "2020-01-01" });
    const before = await memo(running.baseUrl);
    for (let i = 0; i < 5; i++)
      await client.getTrends({
        granularity: 3,
        fromDate: "2020-01-01",
        toDate: `2022-02-0${i + 1}`,
      });
    expect((await memo(running.baseUrl)).entries).toBe(before.entries);
  });
});

import { fileURLToPath } from "node:url";
import { type Client, Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Freshness } from "../gen/customeranalytics/v1/common_pb.js";
import { TimeUnit, ValueRanking, ValueService } from "../gen/customeranalytics/v1/value_pb.js";
import { conditionalExpectedPurchases } from "../src/analytics/value/bgnbd.js";
import { startTestService, type TestService } from "./support/test-service.js";

// The ValueService on the CDNOW sample, served by the real service from the local source,
// called over gRPC (HTTP/2) and Connect (HTTP/1.1): the same answers on both, the published
// figures for the papers' arguments, keyset pages, and the right code, naming the field, for
// every bad request.

const CDNOW = fileURLToPath(new URL("fixtures/cdnow", import.meta.url));
const PAPER = { calibrationEnd: "1997-09-30", timeUnit: TimeUnit.WEEK };

let running: TestService;
const clients: [string, Client<typeof ValueService>][] = [];

beforeAll(async () => {
  running = await startTestService({ LOCAL_SOURCE_DIR: CDNOW });
  const transports: [string, Transport][] = [
    ["gRPC", createGrpcTransport({ baseUrl: running.baseUrl })],
    ["Connect", createConnectTransport({ baseUrl: running.baseUrl, httpVersion: "1.1" })],
  ];
  for (const [name, transport] of transports) {
    clients.push([name, createClient(ValueService, transport)]);
  }
});

afterAll(async () => {
  await running?.close();
});

async function failure(call: () => Promise<unknown>): Promise<ConnectError> {
  try {
    await call();
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("the call succeeded");
}

describe.each(["gRPC", "Connect"])("ValueService over %s", (name) => {
  const client = () => {
    const entry = clients.find(([n]) => n === name);
    if (entry === undefined) throw new Error("no client");
    return entry[1];
  };

  test("answers the precomputed model at the snapshot's reference day, in days", async () => {
    const model = await client().getValueModel({});
    expect(model.precomputed).toBe(true);
    expect(model.calibrationEnd).toBe("1998-07-01");
    expect(model.timeUnit).toBe(TimeUnit.DAY);
    expect(model.horizonMonths).toBe(12);
    expect(model.monthlyDiscount).toBe(0.01);
    expect(model.customerCount).toBe(2357n);
    expect(model.bgnbd?.converged).toBe(true);
    expect(model.gammaGamma?.converged).toBe(true);
    expect(model.holdout).toEqual([]);
    expect(model.meta?.snapshotId).not.toBe("");
  });

  test("fits the papers' arguments on request: the published figures and the holdout check", async () => {
    const model = await client().getValueModel({ args: PAPER, holdoutEnd: "1998-06-30" });
    expect(model.precomputed).toBe(false);
    const bg = model.bgnbd;
    expect([bg?.r, bg?.alpha, bg?.a, bg?.b].map((v) => Number(v?.toFixed(3)))).toEqual([
      0.243, 4.414, 0.793, 2.426,
    ]);
    expect(Number(bg?.logLikelihood.toFixed(1))).toBe(-9582.4);
    const gg = model.gammaGamma;
    expect([gg?.p, gg?.q, gg?.gamma].map((v) => Number(v?.toFixed(2)))).toEqual([
      6.25, 3.74, 15.44,
    ]);
    expect(gg?.customerCount).toBe(946n);
    expect(model.repeatBuyerCount).toBe(946n);
    expect(model.spendLeftOutCount).toBe(0n);
    expect(model.holdout.map((b) => b.label)).toEqual(["0", "1", "2", "3", "4", "5", "6", "7+"]);
    expect(model.holdout[0]?.customerCount).toBe(1411n);
  });

  test("gives a customer's value under the papers' arguments, consistent with the model", async () => {
    const model = await client().getValueModel({ args: PAPER });
    const answer = await client().getCustomerValue({ customerId: "C0001", args: PAPER });
    const v = answer.value;
    expect(answer.calibrationEnd).toBe("1997-09-30");
    expect(v?.x).toBe(2n);
    expect(v?.tX).toBeCloseTo(30.43, 2);
    expect(v?.t).toBeCloseTo(38.86, 2);
    expect(v?.firstPurchaseDate).toBe("1997-01-01");
    const bg = model.bgnbd;
    const params = { r: bg?.r ?? 0, alpha: bg?.alpha ?? 0, a: bg?.a ?? 0, b: bg?.b ?? 0 };
    const e90 = conditionalExpectedPurchases(params, 2, v?.tX ?? 0, v?.t ?? 0, 90 / 7);
    expect(v?.expectedPurchases90d).toBeCloseTo(e90, 12);
    expect(v?.probabilityAlive).toBeGreaterThan(0);
    expect(v?.probabilityAlive).toBeLessThanOrEqual(1);
    expect(Number(v?.clv)).toBeCloseTo(v?.clvNumber ?? 0, 2);
    expect(v?.clv).toMatch(/^\d+\.\d{2}$/);
  });

  test("a longer horizon is worth more, a higher discount rate less", async () => {
    const base = await client().getCustomerValue({ customerId: "C0001" });
    const longer = await client().getCustomerValue({
      customerId: "C0001",
      args: { horizonMonths: 24 },
    });
    const dearer = await client().getCustomerValue({
      customerId: "C0001",
      args: { monthlyDiscount: 0.05 },
    });
    expect(longer.value?.clvNumber).toBeGreaterThan(base.value?.clvNumber ?? 0);
    expect(dearer.value?.clvNumber).toBeLessThan(base.value?.clvNumber ?? 0);
    // The horizon does not change the fit: the same P(alive).
    expect(longer.value?.probabilityAlive).toBe(base.value?.probabilityAlive);
  });

  test("ranks by CLV and by value at risk, in keyset pages that cover everyone once", async () => {
    for (const ranking of [ValueRanking.CLV, ValueRanking.AT_RISK]) {
      const seen: string[] = [];
      const scores: number[] = [];
      let pageToken = "";
      do {
        const page = await client().listCustomersByValue({ ranking, pageSize: 500, pageToken });
        for (const c of page.customers) {
          seen.push(c.customerId);
          scores.push(ranking === ValueRanking.CLV ? c.clvNumber : c.valueAtRiskNumber);
        }
        pageToken = page.nextPageToken;
      } while (pageToken !== "");
      expect(new Set(seen).size).toBe(2357);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    }
  });

  test("filters on P(alive) and repeat purchases", async () => {
    const page = await client().listCustomersByValue({
      ranking: ValueRanking.AT_RISK,
      maxProbabilityAlive: 0.3,
      minRepeatPurchases: 2n,
      pageSize: 1000,
    });
    expect(page.customers.length).toBeGreaterThan(0);
    for (const c of page.customers) {
      expect(c.probabilityAlive).toBeLessThanOrEqual(0.3);
      expect(c.x).toBeGreaterThanOrEqual(2n);
    }
    const none = await client().listCustomersByValue({ regions: ["Atlantis"] });
    expect(none.customers).toEqual([]);
    expect(none.nextPageToken).toBe("");
  });

  test.each([
    [
      "a date that is no day",
      { getValueModel: { args: { calibrationEnd: "1997-02-30" } } },
      "calibration_end",
    ],
    [
      "a date of the wrong shape",
      { getValueModel: { args: { calibrationEnd: "1997/09/30" } } },
      "calibration_end",
    ],
    [
      "a calibration end after the data",
      { getValueModel: { args: { calibrationEnd: "2030-01-01" } } },
      "calibration_end",
    ],
    [
      "a holdout before its calibration",
      { getValueModel: { args: PAPER, holdoutEnd: "1997-09-01" } },
      "holdout_end",
    ],
    [
      "a holdout after the data",
      { getValueModel: { args: PAPER, holdoutEnd: "2030-01-01" } },
      "holdout_end",
    ],
    [
      "a horizon over ten years",
      { getValueModel: { args: { horizonMonths: 500 } } },
      "horizon_months",
    ],
    [
      "a discount rate of 150 %",
      { getValueModel: { args: { monthlyDiscount: 1.5 } } },
      "monthly_discount",
    ],
    ["an unknown time unit", { getValueModel: { args: { timeUnit: 99 } } }, "time_unit"],
    ["an empty customer id", { getCustomerValue: { customerId: "" } }, "customer_id"],
    ["a forged page token", { listCustomersByValue: { pageToken: "abc.def" } }, "page_token"],
    ["an unknown ranking", { listCustomersByValue: { ranking: 7 } }, "ranking"],
    [
      "a P(alive) bound above 1",
      { listCustomersByValue: { maxProbabilityAlive: 2 } },
      "max_probability_alive",
    ],
  ] as const)("refuses %s with INVALID_ARGUMENT naming the field", async (_, call, field) => {
    const [method, request] = Object.entries(call)[0] as [keyof typeof ValueService.method, object];
    const err = await failure(() => (client()[method] as (r: object) => Promise<unknown>)(request));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.message).toContain(field);
  });

  test("refuses a page token from another listing", async () => {
    const page = await client().listCustomersByValue({ pageSize: 1 });
    const err = await failure(() =>
      client().listCustomersByValue({
        pageToken: page.nextPageToken,
        ranking: ValueRanking.AT_RISK,
      }),
    );
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.message).toContain("page_token");
  });

  test("an unknown customer is NOT_FOUND; one not yet born at the calibration end FAILED_PRECONDITION", async () => {
    const unknown = await failure(() => client().getCustomerValue({ customerId: "nobody" }));
    expect(unknown.code).toBe(Code.NotFound);
    expect(unknown.message).toContain("nobody");
    // C2357 first bought in March 1997.
    const unborn = await failure(() =>
      client().getCustomerValue({ customerId: "C2357", args: { calibrationEnd: "1997-01-05" } }),
    );
    expect(unborn.code).toBe(Code.FailedPrecondition);
  });

  test("requiring live data is UNAVAILABLE: the models exist only in the snapshot", async () => {
    const readOptions = { freshness: Freshness.LIVE_REQUIRED };
    for (const call of [
      () => client().getValueModel({ readOptions }),
      () => client().getCustomerValue({ customerId: "C0001", readOptions }),
      () => client().listCustomersByValue({ readOptions }),
    ]) {
      expect((await failure(call)).code).toBe(Code.Unavailable);
    }
  });
});

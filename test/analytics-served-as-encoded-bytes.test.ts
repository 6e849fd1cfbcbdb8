import { type Client, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExploreService } from "../gen/customeranalytics/v1/explore_pb.js";
import { SegmentationService } from "../gen/customeranalytics/v1/segmentation_pb.js";
import { TrendGroupBy, TrendService } from "../gen/customeranalytics/v1/trend_pb.js";
import { startTestService, type TestService } from "./support/test-service.js";

// The analytics that are the same for every caller are encoded once per snapshot and
// arguments and served as those bytes to binary callers; what a gRPC or Connect-proto caller
// decodes must be exactly what a JSON caller (built and encoded per call) gets, on the first
// call and on the ones answered from the remembered bytes, meta aside.

interface Clients {
  readonly trend: Client<typeof TrendService>;
  readonly segmentation: Client<typeof SegmentationService>;
  readonly explore: Client<typeof ExploreService>;
}

function clients(transport: Transport): Clients {
  return {
    trend: createClient(TrendService, transport),
    segmentation: createClient(SegmentationService, transport),
    explore: createClient(ExploreService, transport),
  };
}

let running: TestService;
let grpc: Clients;
let connectProto: Clients;
let json: Clients;

beforeAll(async () => {
  running = await startTestService();
  grpc = clients(createGrpcTransport({ baseUrl: running.baseUrl }));
  connectProto = clients(
    createConnectTransport({ baseUrl: running.baseUrl, httpVersion: "1.1", useBinaryFormat: true }),
  );
  json = clients(
    createConnectTransport({
      baseUrl: running.baseUrl,
      httpVersion: "1.1",
      useBinaryFormat: false,
    }),
  );
});

afterAll(async () => {
  await running.close();
});

/** The answer without its meta (whose age differs per call) and without the message's type tag. */
function body<T extends { meta?: unknown }>(answer: T): Omit<T, "meta"> {
  const { meta: _meta, ...rest } = answer;
  return rest;
}

const CALLS: readonly [string, (c: Clients) => Promise<{ meta?: unknown }>][] = [
  ["GetTrends", (c) => c.trend.getTrends({})],
  ["GetTrends by region", (c) => c.trend.getTrends({ groupBy: TrendGroupBy.REGION })],
  ["GetSegmentSummary", (c) => c.segmentation.getSegmentSummary({})],
  ["GetTableProfile", (c) => c.explore.getTableProfile({ table: "customer_products" })],
  ["GetDataQualityReport", (c) => c.explore.getDataQualityReport({})],
];

describe("analytics served as bytes encoded once", () => {
  for (const [name, call] of CALLS) {
    it(`${name}: binary callers decode what a JSON caller gets, first call and remembered alike`, async () => {
      const expected = body(await call(json));
      const first = await call(grpc);
      const again = await call(grpc);
      const overConnect = await call(connectProto);
      expect(body(first)).toEqual(expected);
      expect(body(again)).toEqual(expected);
      expect(body(overConnect)).toEqual(expected);
      expect(first.meta).toBeDefined();
      expect(again.meta).toBeDefined();
      expect(Object.keys(expected).length).toBeGreaterThan(1);
    });
  }
});

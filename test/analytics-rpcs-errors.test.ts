import {
  type DescMessage,
  type DescMethodUnary,
  type DescService,
  fromJson,
  type JsonObject,
} from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CrossSellService } from "../gen/customeranalytics/v1/cross_sell_pb.js";
import { ExploreService } from "../gen/customeranalytics/v1/explore_pb.js";
import { SegmentationService } from "../gen/customeranalytics/v1/segmentation_pb.js";
import { TrendService } from "../gen/customeranalytics/v1/trend_pb.js";
import { startTestService, type TestService } from "./support/test-service.js";

// The analytics RPCs on the hand fixture: every bad argument is INVALID_ARGUMENT naming its
// field (whether protovalidate or the query layer catches it), unknown ids, tables and columns
// are NOT_FOUND, a caller requiring live data gets UNAVAILABLE (the analytics are answered from
// the snapshot only), and nothing is ever INTERNAL or leaks a stack trace.

type Method = DescMethodUnary<DescMessage, DescMessage>;

const ANALYTICS: readonly DescService[] = [
  CrossSellService,
  SegmentationService,
  TrendService,
  ExploreService,
];

const m = {
  recommendations: CrossSellService.method.getRecommendations as Method,
  rules: CrossSellService.method.listAssociationRules as Method,
  summary: SegmentationService.method.getSegmentSummary as Method,
  segment: SegmentationService.method.getCustomerSegment as Method,
  cohorts: SegmentationService.method.getCohortRetention as Method,
  trends: TrendService.method.getTrends as Method,
  tables: ExploreService.method.listTables as Method,
  profile: ExploreService.method.getTableProfile as Method,
  quality: ExploreService.method.getDataQualityReport as Method,
};

let running: TestService;
let transport: Transport;
let rulesToken = "";

beforeAll(async () => {
  running = await startTestService();
  transport = createConnectTransport({ baseUrl: running.baseUrl, httpVersion: "1.1" });
  const page = await createClient(CrossSellService, transport).listAssociationRules({
    pageSize: 1,
    minSupport: 0,
  });
  rulesToken = page.nextPageToken;
  if (rulesToken === "") throw new Error("the fixture gave no second page of rules");
});

afterAll(async () => {
  await running?.close();
});

/** One bad request: the code it must fail with and the field (or name) its message must carry. */
type Case = [name: string, method: Method, request: () => JsonObject, code: Code, names: string];

const bad = (name: string, method: Method, request: JsonObject, field: string): Case => [
  name,
  method,
  () => request,
  Code.InvalidArgument,
  field,
];

const missing = (name: string, method: Method, request: JsonObject, names: string): Case => [
  name,
  method,
  () => request,
  Code.NotFound,
  names,
];

const rec = { customerId: "C001" };
const CASES: Case[] = [
  bad("GetRecommendations: empty customer_id", m.recommendations, {}, "customer_id"),
  bad("GetRecommendations: limit -1", m.recommendations, { ...rec, limit: -1 }, "limit"),
  bad("GetRecommendations: limit 101", m.recommendations, { ...rec, limit: 101 }, "limit"),
  bad(
    "GetRecommendations: min_confidence 1.5",
    m.recommendations,
    { ...rec, minConfidence: 1.5 },
    "min_confidence",
  ),
  bad(
    "GetRecommendations: min_support -0.1",
    m.recommendations,
    { ...rec, minSupport: -0.1 },
    "min_support",
  ),
  bad("GetRecommendations: scoring 99", m.recommendations, { ...rec, scoring: 99 }, "scoring"),
  bad(
    "GetRecommendations: basket_mode 7",
    m.recommendations,
    { ...rec, basketMode: 7 },
    "basket_mode",
  ),
  bad(
    "GetRecommendations: an empty excluded category",
    m.recommendations,
    { ...rec, excludeCategories: [""] },
    "exclude_categories[0]",
  ),
  missing(
    "GetRecommendations: unknown customer",
    m.recommendations,
    { customerId: "C999" },
    "C999",
  ),
  bad("ListAssociationRules: page_size 1001", m.rules, { pageSize: 1001 }, "page_size"),
  bad("ListAssociationRules: min_support 1.5", m.rules, { minSupport: 1.5 }, "min_support"),
  bad("ListAssociationRules: min_confidence -1", m.rules, { minConfidence: -1 }, "min_confidence"),
  bad("ListAssociationRules: min_lift -1", m.rules, { minLift: -1 }, "min_lift"),
  bad("ListAssociationRules: order_by 99", m.rules, { orderBy: 99 }, "order_by"),
  bad("ListAssociationRules: basket_mode 3", m.rules, { basketMode: 3 }, "basket_mode"),
  bad(
    "ListAssociationRules: 51-char antecedent",
    m.rules,
    { antecedent: "x".repeat(51) },
    "antecedent",
  ),
  bad("ListAssociationRules: junk page_token", m.rules, { pageToken: "abc" }, "page_token"),
  [
    "ListAssociationRules: a token replayed with another order",
    m.rules,
    () => ({ minSupport: 0, orderBy: "RULE_ORDER_LIFT", pageToken: rulesToken }),
    Code.InvalidArgument,
    "page_token",
  ],
  bad(
    "GetSegmentSummary: reference_date shape",
    m.summary,
    { referenceDate: "2024-1-1" },
    "reference_date",
  ),
  bad(
    "GetSegmentSummary: reference_date 2024-02-30",
    m.summary,
    { referenceDate: "2024-02-30" },
    "reference_date",
  ),
  bad("GetSegmentSummary: an empty region", m.summary, { regions: [""] }, "regions[0]"),
  bad("GetCustomerSegment: empty customer_id", m.segment, {}, "customer_id"),
  bad(
    "GetCustomerSegment: reference_date 2023-02-29",
    m.segment,
    { customerId: "C001", referenceDate: "2023-02-29" },
    "reference_date",
  ),
  missing("GetCustomerSegment: unknown customer", m.segment, { customerId: "C999" }, "C999"),
  bad("GetCohortRetention: granularity 9", m.cohorts, { granularity: 9 }, "granularity"),
  bad(
    "GetCohortRetention: from_date 2024-13-01",
    m.cohorts,
    { fromDate: "2024-13-01" },
    "from_date",
  ),
  bad(
    "GetCohortRetention: inverted range",
    m.cohorts,
    { fromDate: "2024-02-01", toDate: "2024-01-01" },
    "from_date",
  ),
  bad("GetCohortRetention: max_periods 1001", m.cohorts, { maxPeriods: 1001 }, "max_periods"),
  bad("GetTrends: an unspecified metric", m.trends, { metrics: [0] }, "metrics[0]"),
  bad("GetTrends: metric 99", m.trends, { metrics: [99] }, "metrics[0]"),
  bad("GetTrends: a repeated metric", m.trends, { metrics: [1, 1] }, "metrics"),
  bad("GetTrends: granularity 9", m.trends, { granularity: 9 }, "granularity"),
  bad("GetTrends: group_by 9", m.trends, { groupBy: 9 }, "group_by"),
  bad("GetTrends: to_date 2023-02-29", m.trends, { toDate: "2023-02-29" }, "to_date"),
  bad(
    "GetTrends: inverted range",
    m.trends,
    { fromDate: "2021-02-01", toDate: "2021-01-01" },
    "from_date",
  ),
  bad(
    "GetTrends: more than 3660 days",
    m.trends,
    { granularity: "TREND_GRANULARITY_DAY", fromDate: "2000-01-01", toDate: "2020-01-01" },
    "from_date",
  ),
  bad(
    "ListTables: freshness 99",
    m.tables,
    { readOptions: { freshness: 99 } },
    "read_options.freshness",
  ),
  bad("GetTableProfile: empty table", m.profile, {}, "table"),
  bad("GetTableProfile: table not an identifier", m.profile, { table: "Bad-Name" }, "table"),
  bad(
    "GetTableProfile: a repeated column",
    m.profile,
    { table: "customers", columns: ["region", "region"] },
    "columns",
  ),
  missing("GetTableProfile: unknown table", m.profile, { table: "nosuch" }, "nosuch"),
  missing(
    "GetTableProfile: unknown column",
    m.profile,
    { table: "customers", columns: ["region", "nosuch"] },
    "nosuch",
  ),
  bad("GetDataQualityReport: table not an identifier", m.quality, { tables: ["Bad"] }, "tables[0]"),
  missing("GetDataQualityReport: unknown table", m.quality, { tables: ["nosuch"] }, "nosuch"),
];

/** Calls `method` through the Connect transport and returns the error it fails with. */
async function failure(method: Method, request: JsonObject): Promise<ConnectError> {
  const input = fromJson(method.input, request);
  try {
    await transport.unary(method, undefined, 5_000, undefined, input);
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error(`${method.parent.typeName}/${method.name} succeeded`);
}

/** POSTs the request as Connect JSON and returns the status and body text. */
async function rawJson(method: Method, request: JsonObject): Promise<[number, string]> {
  const res = await fetch(`${running.baseUrl}/${method.parent.typeName}/${method.name}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(request),
    signal: AbortSignal.timeout(5_000),
  });
  return [res.status, await res.text()];
}

const HTTP_STATUS: Partial<Record<Code, number>> = {
  [Code.InvalidArgument]: 400,
  [Code.NotFound]: 404,
  [Code.Unavailable]: 503,
};

describe("bad analytics requests", () => {
  it.each(CASES)("%s", async (_, method, request, code, names) => {
    const err = await failure(method, request());
    expect(err.code, err.message).toBe(code);
    expect(err.rawMessage).toContain(names);
    const [status, body] = await rawJson(method, request());
    expect(status).toBe(HTTP_STATUS[code]);
    expect(JSON.parse(body)).toMatchObject({ message: expect.stringContaining(names) });
    expect(body).not.toMatch(/\n\s+at |\.ts:\d+|node_modules|\/src\//);
  });

  it("covers every analytics RPC", () => {
    const covered = new Set(CASES.map(([, method]) => method.name));
    const all = ANALYTICS.flatMap((s) => s.methods.map((x) => x.name));
    expect([...covered].sort()).toEqual(all.sort());
  });
});

/** A valid request per analytics RPC, so that only read_options decides the outcome. */
const VALID: [Method, JsonObject][] = [
  [m.recommendations, { customerId: "C001" }],
  [m.rules, {}],
  [m.summary, {}],
  [m.segment, { customerId: "C001" }],
  [m.cohorts, {}],
  [m.trends, {}],
  [m.tables, {}],
  [m.profile, { table: "customers" }],
  [m.quality, {}],
];

describe("analytics are answered from the snapshot only", () => {
  it.each(VALID.map(([method, request]) => [method.name, method, request] as const))(
    "%s with LIVE_REQUIRED is UNAVAILABLE, saying why",
    async (_, method, request) => {
      const live = { ...request, readOptions: { freshness: "FRESHNESS_LIVE_REQUIRED" } };
      const err = await failure(method, live);
      expect(err.code, err.message).toBe(Code.Unavailable);
      expect(err.rawMessage).toMatch(/live data was required but no live source/);
      const cached = { ...request, readOptions: { freshness: "FRESHNESS_CACHE_ONLY" } };
      const res = await transport.unary(
        method,
        undefined,
        5_000,
        undefined,
        fromJson(method.input, cached),
      );
      expect(res.message).toBeDefined();
    },
  );

  it("covers every analytics RPC", () => {
    const all = ANALYTICS.flatMap((s) => s.methods.map((x) => x.name));
    expect(VALID.map(([method]) => method.name).sort()).toEqual(all.sort());
  });
});

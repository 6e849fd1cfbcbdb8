import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataSource, type ResultMeta } from "../gen/customeranalytics/v1/common_pb.js";
import {
  type AssociationRule,
  BasketMode,
  CrossSellService,
  RecommendationScoring,
  RuleOrder,
} from "../gen/customeranalytics/v1/cross_sell_pb.js";
import { ExpectationStatus, ExploreService } from "../gen/customeranalytics/v1/explore_pb.js";
import {
  CohortGranularity,
  type GetCustomerSegmentResponse,
  RfmSegment,
  SegmentationService,
} from "../gen/customeranalytics/v1/segmentation_pb.js";
import { SyncService } from "../gen/customeranalytics/v1/sync_pb.js";
import {
  TrendGranularity,
  TrendGroupBy,
  TrendMetric,
  TrendService,
} from "../gen/customeranalytics/v1/trend_pb.js";
import type { SqlParam, SqlRow } from "../src/snapshot/sql-runner.js";
import { startTestService, type TestService } from "./support/test-service.js";

// Every analytics RPC on the bundled Online Retail data, asked over gRPC and over Connect JSON
// (the two must agree, meta aside), and checked against invariants and against plain SQL over
// the snapshot's base tables (customers, products, customer_products), never its derived ones.

const ANALYTICS = [CrossSellService, SegmentationService, TrendService, ExploreService] as const;

interface Clients {
  readonly crossSell: Client<typeof CrossSellService>;
  readonly segmentation: Client<typeof SegmentationService>;
  readonly trend: Client<typeof TrendService>;
  readonly explore: Client<typeof ExploreService>;
}

let running: TestService;
let viaGrpc: Clients;
let viaConnect: Clients;
const asked = new Set<string>();

function clients(transport: Transport): Clients {
  return {
    crossSell: createClient(CrossSellService, transport),
    segmentation: createClient(SegmentationService, transport),
    trend: createClient(TrendService, transport),
    explore: createClient(ExploreService, transport),
  };
}

beforeAll(async () => {
  running = await startTestService({ SOURCE: "online-retail", LOCAL_SOURCE_DIR: "" });
  viaGrpc = clients(createGrpcTransport({ baseUrl: running.baseUrl }));
  viaConnect = clients(createConnectTransport({ baseUrl: running.baseUrl, httpVersion: "1.1" }));
});

afterAll(async () => {
  await running?.close();
});

/**
 * Asks the same question over gRPC and Connect JSON, checks that both answers are equal apart
 * from their age, come from the snapshot, and returns the gRPC one.
 */
async function same<T extends { meta?: ResultMeta | undefined }>(
  rpc: string,
  ask: (c: Clients) => Promise<T>,
): Promise<T> {
  asked.add(rpc);
  const [grpc, connect] = await Promise.all([ask(viaGrpc), ask(viaConnect)]);
  expect(grpc.meta?.source).toBe(DataSource.SNAPSHOT);
  expect(connect.meta?.snapshotId).toBe(grpc.meta?.snapshotId);
  expect({ ...connect, meta: undefined }).toEqual({ ...grpc, meta: undefined });
  return grpc;
}

/** Rows of plain SQL over the live snapshot's base tables. */
async function base(sql: string, params: SqlParam[] = []): Promise<SqlRow[]> {
  const answer = await running.service.store.read((db) => db.all(sql, params));
  if (answer === undefined) throw new Error("no snapshot is loaded");
  return answer.value;
}

/** An exact decimal string with at most two places, in cents. */
function cents(decimal: string): bigint {
  const [whole = "0", fraction = ""] = decimal.replace("-", "").split(".");
  const value = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, "0") || "0");
  return decimal.startsWith("-") ? -value : value;
}

const within = (x: number, lo: number, hi: number) => x >= lo && x <= hi;

/** Near-equality to `relative` of the larger magnitude. */
const near = (a: number, b: number, relative: number) =>
  Math.abs(a - b) <= relative * Math.max(Math.abs(a), Math.abs(b));

/**
 * What is wrong with one rule: each metric in its range, conviction infinite exactly when
 * confidence is 1, and the metrics consistent with each other and with the counts. Collected
 * rather than asserted one by one, so that tens of thousands of rules check in well under a second.
 */
function ruleViolations(r: AssociationRule, n: number, minCount: bigint): string[] {
  const eps = 1e-12;
  const checks: [string, boolean][] = [
    ["support", within(r.support, 0, 1)],
    ["confidence", within(r.confidence, 0, 1)],
    ["antecedent_support", within(r.antecedentSupport, 0, 1)],
    ["consequent_support", within(r.consequentSupport, 0, 1)],
    ["lift", r.lift >= 0],
    ["jaccard", within(r.jaccard, 0, 1 + eps)],
    ["cosine", within(r.cosine, 0, 1 + eps)],
    ["kulczynski", within(r.kulczynski, 0, 1 + eps)],
    ["certainty", within(r.certainty, -1 - eps, 1 + eps)],
    ["zhangs_metric", within(r.zhangsMetric, -1 - eps, 1 + eps)],
    [
      "conviction",
      r.conviction === Number.POSITIVE_INFINITY
        ? r.confidence === 1
        : r.confidence < 1 && r.conviction >= 0,
    ],
    ["confidence * antecedent_support", near(r.confidence * r.antecedentSupport, r.support, eps)],
    ["both_count / N", near(Number(r.bothCount) / n, r.support, eps)],
    ["opportunity_count", r.opportunityCount === r.antecedentCount - r.bothCount],
    ["both_count >= floor", r.bothCount >= minCount],
  ];
  return checks.filter(([, ok]) => !ok).map(([name]) => name);
}

async function referenceDate(): Promise<string> {
  const summary = await viaGrpc.segmentation.getSegmentSummary({});
  return summary.referenceDate;
}

describe("CrossSellService on the default data", () => {
  it("lists rules whose metrics stay in range and agree with each other", async () => {
    const first = await same("ListAssociationRules", (c) =>
      c.crossSell.listAssociationRules({ pageSize: 200, orderBy: RuleOrder.CONVICTION }),
    );
    expect(first.rules).toHaveLength(200);
    await same("ListAssociationRules", (c) =>
      c.crossSell.listAssociationRules({
        basketMode: BasketMode.ALL,
        orderBy: RuleOrder.LIFT,
        minConfidence: 0.5,
        pageSize: 50,
      }),
    );
    const rules: AssociationRule[] = [];
    let pageToken = "";
    let total = 0n;
    do {
      const page = await viaGrpc.crossSell.listAssociationRules({ pageSize: 1000, pageToken });
      rules.push(...page.rules);
      pageToken = page.nextPageToken;
      total = page.totalSize;
      expect(page.basketCount).toBe(first.basketCount);
    } while (pageToken !== "");
    expect(BigInt(rules.length)).toBe(total);
    expect(rules.length).toBeGreaterThan(1000);
    const n = Number(first.basketCount);
    const broken = rules.flatMap((r) =>
      ruleViolations(r, n, first.minSupportCount).map(
        (v) => `${r.antecedent}->${r.consequent} ${v}`,
      ),
    );
    expect(broken).toEqual([]);
  });

  it("answers below the support floor exactly, infinite conviction included", async () => {
    const res = await same("ListAssociationRules", (c) =>
      c.crossSell.listAssociationRules({
        antecedent: "37489A",
        minSupport: 0.002,
        basketMode: BasketMode.ALL,
        orderBy: RuleOrder.CONVICTION,
        pageSize: 20,
      }),
    );
    expect(res.minSupportCount).toBe(BigInt(Math.ceil(0.002 * Number(res.basketCount))));
    expect(res.rules[0]?.conviction).toBe(Number.POSITIVE_INFINITY);
    const n = Number(res.basketCount);
    expect(res.rules.flatMap((r) => ruleViolations(r, n, res.minSupportCount))).toEqual([]);
  });

  it("recommends products a customer does not hold, because of products they hold", async () => {
    const ref = await referenceDate();
    for (const customerId of ["12347", "17850", "14646", "13089", "15311"]) {
      const held = new Set(
        (
          await base(
            `SELECT DISTINCT product_id FROM customer_products WHERE customer_id = ?
               AND start_date <= ?::DATE AND (end_date IS NULL OR end_date >= ?::DATE)`,
            [customerId, ref, ref],
          )
        ).map((r) => String(r.product_id)),
      );
      const res = await same("GetRecommendations", (c) =>
        c.crossSell.getRecommendations({ customerId }),
      );
      expect(res.heldProductCount).toBe(held.size);
      expect(res.recommendations.length).toBeGreaterThan(0);
      expect(res.recommendations.length).toBeLessThanOrEqual(10);
      const scores = res.recommendations.map((r) => r.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      for (const r of res.recommendations) {
        expect(held.has(r.productId), `${customerId} holds ${r.productId}`).toBe(false);
        expect(r.becauseProductIds.length).toBeGreaterThan(0);
        for (const because of r.becauseProductIds) expect(held.has(because)).toBe(true);
        expect(r.score).toBe(r.confidence);
        expect(r.support).toBeGreaterThanOrEqual(
          Number(res.minSupportCount) / Number(res.basketCount) - 1e-12,
        );
      }
    }
    const other = await same("GetRecommendations", (c) =>
      c.crossSell.getRecommendations({
        customerId: "12347",
        limit: 5,
        scoring: RecommendationScoring.COSINE_SUM,
        basketMode: BasketMode.ALL,
        excludeCategories: ["kitchen"],
      }),
    );
    expect(other.scoring).toBe(RecommendationScoring.COSINE_SUM);
    expect(other.recommendations).toHaveLength(5);
    for (const r of other.recommendations) expect(r.productCategory).not.toBe("kitchen");
  });
});

describe("SegmentationService on the default data", () => {
  it("summarises every customer with a positive monetary total, shares summing to 1", async () => {
    const summary = await same("GetSegmentSummary", (c) => c.segmentation.getSegmentSummary({}));
    const [truth] = await base(`SELECT count(*)::INTEGER AS n FROM (
      SELECT customer_id FROM customer_products GROUP BY customer_id HAVING sum("value") > 0)`);
    const counts = summary.segments.map((s) => Number(s.customerCount));
    expect(summary.segments.map((s) => s.segment)).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 1),
    );
    expect(counts.reduce((a, b) => a + b, 0)).toBe(truth?.n);
    expect(Number(summary.scoredCustomerCount)).toBe(truth?.n);
    const shares = summary.segments.reduce((a, seg) => a + seg.share, 0);
    expect(near(shares, 1, 1e-12), String(shares)).toBe(true);
  });

  it("gives each customer the segment the summary counts them in", async () => {
    const rows = await base(
      `SELECT customer_id, region FROM customers WHERE region <> 'United Kingdom' ORDER BY 1`,
    );
    const regions = [...new Set(rows.map((r) => String(r.region)))];
    const summary = await viaGrpc.segmentation.getSegmentSummary({ regions });
    const answers: GetCustomerSegmentResponse[] = [];
    for (let i = 0; i < rows.length; i += 10) {
      const batch = rows.slice(i, i + 10).map((r) => String(r.customer_id));
      answers.push(
        ...(await Promise.all(
          batch.map((customerId) => viaGrpc.segmentation.getCustomerSegment({ customerId })),
        )),
      );
    }
    const tally = new Map<RfmSegment, number>();
    for (const a of answers) {
      expect(a.scored).toBe(a.segment !== RfmSegment.UNSPECIFIED);
      if (a.scored) tally.set(a.segment, (tally.get(a.segment) ?? 0) + 1);
    }
    expect(summary.scoredCustomerCount).toBeGreaterThan(300n);
    for (const s of summary.segments) {
      expect(tally.get(s.segment) ?? 0, RfmSegment[s.segment]).toBe(Number(s.customerCount));
    }
  });

  it("reports a customer's R, F and M as the base tables give them", async () => {
    const ref = await referenceDate();
    const res = await same("GetCustomerSegment", (c) =>
      c.segmentation.getCustomerSegment({ customerId: "12347" }),
    );
    const [truth] = await base(
      `SELECT count(DISTINCT relationship_id)::INTEGER AS frequency,
         sum("value")::VARCHAR AS monetary, max(start_date)::VARCHAR AS last,
         (?::DATE - max(start_date))::INTEGER AS recency
       FROM customer_products WHERE customer_id = ? AND start_date < ?::DATE`,
      [ref, "12347", ref],
    );
    expect(res.scored).toBe(true);
    expect(Number(res.frequency)).toBe(truth?.frequency);
    expect(res.monetary).toBe(truth?.monetary);
    expect(res.lastStartDate).toBe(truth?.last);
    expect(res.recencyDays).toBe(truth?.recency);
    expect(res.rfmScore).toBe(`${res.rScore}${res.fScore}${res.mScore}`);
  });

  it("builds cohorts whose sizes add up to the customers first seen in range", async () => {
    const res = await same("GetCohortRetention", (c) =>
      c.segmentation.getCohortRetention({
        granularity: CohortGranularity.MONTH,
        fromDate: "2011-01-01",
        toDate: "2011-06-30",
      }),
    );
    const [truth] = await base(`SELECT count(*)::INTEGER AS n FROM (
      SELECT customer_id FROM customer_products GROUP BY customer_id
      HAVING min(start_date) BETWEEN DATE '2011-01-01' AND DATE '2011-06-30')`);
    expect(res.cohorts.map((c) => c.cohortStart)).toEqual([
      "2011-01-01",
      "2011-02-01",
      "2011-03-01",
      "2011-04-01",
      "2011-05-01",
      "2011-06-01",
    ]);
    expect(res.cohorts.reduce((a, c) => a + Number(c.size), 0)).toBe(truth?.n);
    for (const cohort of res.cohorts) {
      expect(cohort.periods[0]?.retention).toBe(1);
      expect(cohort.periods[0]?.activeCustomers).toBe(cohort.size);
    }
    const weeks = await same("GetCohortRetention", (c) =>
      c.segmentation.getCohortRetention({ granularity: CohortGranularity.WEEK, maxPeriods: 3 }),
    );
    const [all] = await base(
      "SELECT count(DISTINCT customer_id)::INTEGER AS n FROM customer_products",
    );
    expect(weeks.cohorts.reduce((a, c) => a + Number(c.size), 0)).toBe(all?.n);
    for (const cohort of weeks.cohorts) expect(cohort.periods.length).toBeLessThanOrEqual(3);
  });
});

describe("TrendService on the default data", () => {
  it("reports monthly revenue that adds up to the relationships' values", async () => {
    const res = await same("GetTrends", (c) =>
      c.trend.getTrends({
        granularity: TrendGranularity.MONTH,
        fromDate: "2010-12-01",
        toDate: "2011-11-30",
        metrics: [TrendMetric.REVENUE, TrendMetric.NEW_RELATIONSHIPS],
      }),
    );
    const [truth] = await base(`SELECT sum("value")::VARCHAR AS revenue, count(*)::INTEGER AS n
      FROM customer_products WHERE start_date BETWEEN DATE '2010-12-01' AND DATE '2011-11-30'`);
    const [series] = res.series;
    expect(res.series).toHaveLength(1);
    expect(series?.points).toHaveLength(12);
    const revenue = (series?.points ?? []).reduce(
      (sum, p) => sum + cents(p.values[0]?.exactValue ?? "x"),
      0n,
    );
    expect(revenue).toBe(cents(String(truth?.revenue)));
    const relationships = (series?.points ?? []).reduce(
      (sum, p) => sum + Number(p.values[1]?.exactValue),
      0,
    );
    expect(relationships).toBe(truth?.n);
    for (const p of series?.points ?? []) {
      expect(p.values.map((v) => v.metric)).toEqual([
        TrendMetric.REVENUE,
        TrendMetric.NEW_RELATIONSHIPS,
      ]);
    }
    const grouped = await same("GetTrends", (c) =>
      c.trend.getTrends({
        granularity: TrendGranularity.QUARTER,
        groupBy: TrendGroupBy.PRODUCT_CATEGORY,
      }),
    );
    expect(grouped.series.length).toBeGreaterThan(1);
    expect(grouped.series[0]?.points[0]?.values).toHaveLength(6);
  });

  it("marks December 2011, where the data ends (the 9th), partial and gives it no change", async () => {
    const res = await same("GetTrends", (c) =>
      c.trend.getTrends({
        granularity: TrendGranularity.MONTH,
        fromDate: "2011-10-01",
        metrics: [TrendMetric.REVENUE],
      }),
    );
    const points = res.series[0]?.points ?? [];
    expect(points.map((p) => [p.periodStart, p.partial])).toEqual([
      ["2011-10-01", false],
      ["2011-11-01", false],
      ["2011-12-01", true],
    ]);
    expect(points[1]?.values[0]?.changePercent).toBeDefined();
    const december = points[2]?.values[0];
    expect(december?.previousValue).toBeGreaterThan(0);
    expect(december?.change).toBeUndefined();
    expect(december?.changePercent).toBeUndefined();
    expect(december?.exactChange).toBe("");
  });
});

describe("ExploreService on the default data", () => {
  it("lists the three base tables with the sync's row counts", async () => {
    const res = await same("ListTables", (c) => c.explore.listTables({}));
    const status = await createClient(
      SyncService,
      createGrpcTransport({ baseUrl: running.baseUrl }),
    ).getSyncStatus({});
    const synced = Object.fromEntries(
      (status.liveSnapshot?.tables ?? []).map((t) => [t.table, t.rows]),
    );
    expect(res.tables.map((t) => t.name).sort()).toEqual([
      "customer_products",
      "customers",
      "products",
    ]);
    for (const t of res.tables) {
      expect(t.rowCount).toBe(synced[t.name]);
      expect(t.columns).toHaveLength(t.columnCount);
    }
  });

  it("profiles customer_products as the base table holds it", async () => {
    const res = await same("GetTableProfile", (c) =>
      c.explore.getTableProfile({ table: "customer_products", includeCorrelations: true }),
    );
    const [truth] = await base(`SELECT count(*)::INTEGER AS n, min("value")::VARCHAR AS lo,
      max("value")::VARCHAR AS hi FROM customer_products`);
    expect(Number(res.table?.nRows)).toBe(truth?.n);
    expect(res.columns).toHaveLength(7);
    const value = res.columns.find((c) => c.name === "value");
    expect(Number(value?.n)).toBe(truth?.n);
    expect(value?.numeric?.min).toBe(truth?.lo);
    expect(value?.numeric?.max).toBe(truth?.hi);
    const one = await same("GetTableProfile", (c) =>
      c.explore.getTableProfile({ table: "customers", columns: ["region"] }),
    );
    expect(one.columns.map((c) => c.name)).toEqual(["region"]);
  });

  it("reports data quality for every table with pass, warn or fail", async () => {
    const res = await same("GetDataQualityReport", (c) => c.explore.getDataQualityReport({}));
    const tables = new Set(res.results.map((r) => r.table));
    for (const t of ["customers", "products", "customer_products"])
      expect(tables.has(t)).toBe(true);
    const statuses = [ExpectationStatus.PASS, ExpectationStatus.WARN, ExpectationStatus.FAIL];
    for (const r of res.results) {
      expect(statuses).toContain(r.status);
      expect(r.success).toBe(r.status !== ExpectationStatus.FAIL);
    }
    const count = (s: ExpectationStatus) => res.results.filter((r) => r.status === s).length;
    expect(res.summary?.evaluated).toBe(res.results.length);
    expect(res.summary?.passed).toBe(count(ExpectationStatus.PASS));
    expect(res.summary?.warned).toBe(count(ExpectationStatus.WARN));
    expect(res.summary?.failed).toBe(count(ExpectationStatus.FAIL));
    const one = await same("GetDataQualityReport", (c) =>
      c.explore.getDataQualityReport({ tables: ["products"] }),
    );
    expect(new Set(one.results.map((r) => r.table))).toEqual(new Set(["products", ""]));
  });

  it("asked every analytics RPC over both transports", () => {
    const all = (ANALYTICS as readonly DescService[]).flatMap((s) => s.methods.map((m) => m.name));
    expect([...asked].sort()).toEqual(all.sort());
  });
});

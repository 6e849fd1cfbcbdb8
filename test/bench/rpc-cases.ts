/**
 * The RPCs the benchmark calls and the request each one sends for request number `i`, drawn
 * from the seeded id pool, so the service, the floor and the live path ask the same questions.
 *
 * @module
 */
import type { DescMessage, DescMethodUnary, MessageInitShape } from "@bufbuild/protobuf";
import type { Transport } from "@connectrpc/connect";
import { Freshness } from "../../gen/customeranalytics/v1/common_pb.js";
import { CrossSellService } from "../../gen/customeranalytics/v1/cross_sell_pb.js";
import { CustomerService } from "../../gen/customeranalytics/v1/customer_pb.js";
import { ExploreService } from "../../gen/customeranalytics/v1/explore_pb.js";
import { PortfolioService } from "../../gen/customeranalytics/v1/portfolio_pb.js";
import { SegmentationService } from "../../gen/customeranalytics/v1/segmentation_pb.js";
import { TrendService } from "../../gen/customeranalytics/v1/trend_pb.js";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";

/** What requests are built from: ids drawn from the data, and its dimension values. */
export interface RequestPool {
  readonly customerIds: readonly string[];
  readonly productIds: readonly string[];
  readonly regions: readonly string[];
  readonly customerTypes: readonly string[];
  readonly tables: readonly string[];
}

/** The RPCs measured, in report order. */
export const RPC_NAMES = [
  "GetCustomer",
  "BatchGetCustomers",
  "ListCustomers",
  "GetCustomerPortfolio",
  "GetRecommendations",
  "ListAssociationRules",
  "GetSegmentSummary",
  "GetTrends",
  "GetTableProfile",
  "GetDataQualityReport",
] as const;

/** One of {@link RPC_NAMES}. */
export type RpcName = (typeof RPC_NAMES)[number];

/**
 * grpc.health.v1.Health/Check: no query at all, so its figures are the ceiling of the transport
 * (Connect server, HTTP/2, protobuf, the client) on this machine.
 */
export const TRANSPORT_PROBE = "HealthCheck" as const;

/** Anything the load client can call. */
export type CallName = RpcName | typeof TRANSPORT_PROBE;

/** How many ids one BatchGetCustomers request carries. */
export const BATCH_SIZE = 100;

/** Calls one RPC for request `i`; `live` asks for LIVE_REQUIRED freshness. */
export type RpcCall = (
  transport: Transport,
  i: number,
  live: boolean,
  signal: AbortSignal,
) => Promise<unknown>;

/** The element of `list` at `i`, cycling. */
export function at<T>(list: readonly T[], i: number): T {
  const value = list[i % list.length];
  if (value === undefined) throw new Error("empty request pool");
  return value;
}

/** The `BATCH_SIZE` customer ids of batch request `i` (consecutive in the shuffled pool). */
export function batchIds(pool: RequestPool, i: number): string[] {
  return Array.from({ length: BATCH_SIZE }, (_, k) => at(pool.customerIds, i * BATCH_SIZE + k));
}

/** A filtered ListCustomers page: region and type cycle, first page of 50, in id order. */
export function listFilter(pool: RequestPool, i: number) {
  return {
    region: at(pool.regions, i),
    customerType: at(pool.customerTypes, i >> 3),
    pageSize: 50,
  };
}

function call<I extends DescMessage, O extends DescMessage>(
  method: DescMethodUnary<I, O>,
  request: (i: number) => MessageInitShape<I>,
): RpcCall {
  return async (transport, i, live, signal) => {
    const input = request(i);
    const withOptions = live
      ? { ...input, readOptions: { freshness: Freshness.LIVE_REQUIRED } }
      : input;
    const res = await transport.unary(method, signal, 30_000, undefined, withOptions);
    return res.message;
  };
}

/** The call of every RPC for a pool. */
export function rpcCalls(pool: RequestPool): Readonly<Record<CallName, RpcCall>> {
  const customer = (i: number) => at(pool.customerIds, i);
  return {
    GetCustomer: call(CustomerService.method.getCustomer, (i) => ({ customerId: customer(i) })),
    BatchGetCustomers: call(CustomerService.method.batchGetCustomers, (i) => ({
      customerIds: batchIds(pool, i),
    })),
    ListCustomers: call(CustomerService.method.listCustomers, (i) => listFilter(pool, i)),
    GetCustomerPortfolio: call(PortfolioService.method.getCustomerPortfolio, (i) => ({
      customerId: customer(i),
    })),
    GetRecommendations: call(CrossSellService.method.getRecommendations, (i) => ({
      customerId: customer(i),
    })),
    ListAssociationRules: call(CrossSellService.method.listAssociationRules, (i) => ({
      antecedent: at(pool.productIds, i),
    })),
    GetSegmentSummary: call(SegmentationService.method.getSegmentSummary, () => ({})),
    GetTrends: call(TrendService.method.getTrends, () => ({})),
    GetTableProfile: call(ExploreService.method.getTableProfile, (i) => ({
      table: at(pool.tables, i),
      includeCorrelations: true,
    })),
    GetDataQualityReport: call(ExploreService.method.getDataQualityReport, () => ({})),
    HealthCheck: call(Health.method.check, () => ({})),
  };
}

/**
 * The RPCs the benchmark calls and the request each one sends for request number `i`, drawn
 * from the seeded id pool, so the service, the floor and the live path ask the same questions.
 *
 * @module
 */
import {
  create,
  type DescMessage,
  type DescMethodUnary,
  type Message,
  type MessageInitShape,
} from "@bufbuild/protobuf";
import { Freshness } from "../../gen/customeranalytics/v1/common_pb.js";
import {
  CrossSellService,
  RecommendationScoring,
} from "../../gen/customeranalytics/v1/cross_sell_pb.js";
import { CustomerService } from "../../gen/customeranalytics/v1/customer_pb.js";
import { ExploreService } from "../../gen/customeranalytics/v1/explore_pb.js";
import { PortfolioService } from "../../gen/customeranalytics/v1/portfolio_pb.js";
import { ProductService } from "../../gen/customeranalytics/v1/product_pb.js";
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
  "GetCustomerSegment",
  "ListProductCustomers",
  "ListAssociationRules",
  "GetSegmentSummary",
  "GetTrends",
  "GetTableProfile",
  "GetDataQualityReport",
] as const;

/** One of {@link RPC_NAMES}. */
export type RpcName = (typeof RPC_NAMES)[number];

/**
 * Questions the in-memory structures cannot answer, which keep their exact SQL: another
 * scoring (ranked from the rules), a support below the rules' floor (counted from the
 * baskets), another reference date (everyone re-scored). Their own rows, at few callers.
 */
export const FALLBACK_NAMES = [
  "GetRecommendationsByLift",
  "GetRecommendationsBelowFloor",
  "GetCustomerSegmentOtherDate",
] as const;

/** One of {@link FALLBACK_NAMES}. */
export type FallbackName = (typeof FALLBACK_NAMES)[number];

/**
 * The dashboard's customer page as one unit: GetCustomer, GetCustomerSegment,
 * GetCustomerPortfolio (page of 200) and GetRecommendations (limit 5) for one customer, sent
 * at once; it completes when the last answer is in.
 */
export const CUSTOMER_PAGE = "CustomerPage" as const;

/** The calls {@link CUSTOMER_PAGE} makes, in the order the page makes them. */
export const CUSTOMER_PAGE_CALLS = [
  "PageCustomer",
  "PageSegment",
  "PagePortfolio",
  "PageRecommendations",
] as const;

/**
 * grpc.health.v1.Health/Check: no query at all, so its figures are the ceiling of the transport
 * (Connect server, HTTP/2, protobuf, the client) on this machine.
 */
export const TRANSPORT_PROBE = "HealthCheck" as const;

/**
 * The transport floor: HealthCheck's request sent to a bare node:http2 server that answers every
 * call with a fixed message (`bare-grpc-server.ts`), so no RPC of the service can be faster.
 */
export const TRANSPORT_FLOOR = "BareHttp2" as const;

/**
 * The framework floor: HealthCheck against connect-node with nothing of the service's around it
 * (`bare-connect-server.ts`), between {@link TRANSPORT_FLOOR} and {@link TRANSPORT_PROBE}.
 */
export const FRAMEWORK_FLOOR = "BareConnect" as const;

/** Anything the load client can call. */
export type CallName =
  | RpcName
  | FallbackName
  | typeof CUSTOMER_PAGE
  | typeof TRANSPORT_PROBE
  | typeof TRANSPORT_FLOOR
  | typeof FRAMEWORK_FLOOR;

/** How many ids one BatchGetCustomers request carries. */
export const BATCH_SIZE = 100;

/**
 * One RPC as the load client calls it: the method (its path and schemas) and the request it
 * sends for request number `i`. Requests cycle, so a client can encode each distinct one once.
 */
export interface RpcCase {
  readonly method: DescMethodUnary;
  /** Request `i`, asking for LIVE_REQUIRED freshness when `live`. */
  readonly request: (i: number, live: boolean) => Message;
  /** How many distinct requests there are: request `i` is request `i % distinct`. */
  readonly distinct: number;
}

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

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

const lcm = (a: number, b: number): number => (a * b) / gcd(a, b);

function rpcCase<I extends DescMessage, O extends DescMessage>(
  method: DescMethodUnary<I, O>,
  distinct: number,
  request: (i: number) => MessageInitShape<I>,
): RpcCase {
  return {
    method,
    distinct: Math.max(1, distinct),
    request(i, live) {
      const input = request(i);
      const withOptions = live
        ? { ...input, readOptions: { freshness: Freshness.LIVE_REQUIRED } }
        : input;
      return create(method.input, withOptions);
    },
  };
}

/** A call with one request: everything but the customer page, which is four of them. */
export type SingleCall =
  | Exclude<CallName, typeof CUSTOMER_PAGE>
  | (typeof CUSTOMER_PAGE_CALLS)[number];

/** The reference date of the fallback row: any day other than the snapshot's. */
const OTHER_REFERENCE_DATE = "2020-01-01";

/** A support below any floor the rules were built with: counted from the baskets. */
const BELOW_FLOOR_SUPPORT = 1e-9;

/** The case of every RPC for a pool; the floors ask what HealthCheck asks. */
export function rpcCases(pool: RequestPool): Readonly<Record<SingleCall, RpcCase>> {
  const customers = pool.customerIds.length;
  const customer = (i: number) => at(pool.customerIds, i);
  const health = rpcCase(Health.method.check, 1, () => ({}));
  return {
    GetCustomer: rpcCase(CustomerService.method.getCustomer, customers, (i) => ({
      customerId: customer(i),
    })),
    BatchGetCustomers: rpcCase(
      CustomerService.method.batchGetCustomers,
      customers / gcd(customers, BATCH_SIZE),
      (i) => ({ customerIds: batchIds(pool, i) }),
    ),
    ListCustomers: rpcCase(
      CustomerService.method.listCustomers,
      lcm(pool.regions.length, 8 * pool.customerTypes.length),
      (i) => listFilter(pool, i),
    ),
    GetCustomerPortfolio: rpcCase(PortfolioService.method.getCustomerPortfolio, customers, (i) => ({
      customerId: customer(i),
    })),
    GetRecommendations: rpcCase(CrossSellService.method.getRecommendations, customers, (i) => ({
      customerId: customer(i),
    })),
    GetCustomerSegment: rpcCase(SegmentationService.method.getCustomerSegment, customers, (i) => ({
      customerId: customer(i),
    })),
    ListProductCustomers: rpcCase(
      ProductService.method.listProductCustomers,
      pool.productIds.length,
      (i) => ({ productId: at(pool.productIds, i) }),
    ),
    GetRecommendationsByLift: rpcCase(
      CrossSellService.method.getRecommendations,
      customers,
      (i) => ({ customerId: customer(i), scoring: RecommendationScoring.LIFT }),
    ),
    GetRecommendationsBelowFloor: rpcCase(
      CrossSellService.method.getRecommendations,
      customers,
      (i) => ({ customerId: customer(i), minSupport: BELOW_FLOOR_SUPPORT }),
    ),
    GetCustomerSegmentOtherDate: rpcCase(
      SegmentationService.method.getCustomerSegment,
      customers,
      (i) => ({ customerId: customer(i), referenceDate: OTHER_REFERENCE_DATE }),
    ),
    PageCustomer: rpcCase(CustomerService.method.getCustomer, customers, (i) => ({
      customerId: customer(i),
    })),
    PageSegment: rpcCase(SegmentationService.method.getCustomerSegment, customers, (i) => ({
      customerId: customer(i),
    })),
    PagePortfolio: rpcCase(PortfolioService.method.getCustomerPortfolio, customers, (i) => ({
      customerId: customer(i),
      pageSize: 200,
    })),
    PageRecommendations: rpcCase(CrossSellService.method.getRecommendations, customers, (i) => ({
      customerId: customer(i),
      limit: 5,
    })),
    ListAssociationRules: rpcCase(
      CrossSellService.method.listAssociationRules,
      pool.productIds.length,
      (i) => ({ antecedent: at(pool.productIds, i) }),
    ),
    GetSegmentSummary: rpcCase(SegmentationService.method.getSegmentSummary, 1, () => ({})),
    GetTrends: rpcCase(TrendService.method.getTrends, 1, () => ({})),
    GetTableProfile: rpcCase(ExploreService.method.getTableProfile, pool.tables.length, (i) => ({
      table: at(pool.tables, i),
      includeCorrelations: true,
    })),
    GetDataQualityReport: rpcCase(ExploreService.method.getDataQualityReport, 1, () => ({})),
    HealthCheck: health,
    BareHttp2: health,
    BareConnect: health,
  };
}

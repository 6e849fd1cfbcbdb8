/**
 * The query-layer call behind each RPC, with the arguments the API layer passes for the
 * benchmark's request `i` (see `rpc-cases.ts`). The floor runs these once against a recording
 * runner to learn exactly which statements, with which bound values, each request executes.
 *
 * @module
 */

import { getRecommendations, listAssociationRules } from "../../src/query/cross-sell-queries.js";
import { batchGetCustomers, getCustomer, listCustomers } from "../../src/query/customer-queries.js";
import { getDataQualityReport, getTableProfile } from "../../src/query/explore-queries.js";
import { getCustomerPortfolio } from "../../src/query/portfolio-queries.js";
import { listProductCustomers } from "../../src/query/product-queries.js";
import { getCustomerSegment, getSegmentSummary } from "../../src/query/segmentation-queries.js";
import { getTrends } from "../../src/query/trend-queries.js";
import type { SqlRunner } from "../../src/snapshot/sql-runner.js";
import { at, batchIds, listFilter, type RequestPool, type RpcName } from "./rpc-cases.js";

/** Asks the query layer what RPC `rpc` asks for request `i`. */
export type FloorCase = (db: SqlRunner, i: number) => Promise<unknown>;

/** The query-layer call of every RPC for a pool. */
export function floorCases(pool: RequestPool): Readonly<Record<RpcName, FloorCase>> {
  const customerId = (i: number) => at(pool.customerIds, i);
  return {
    GetCustomer: (db, i) => getCustomer(db, { customerId: customerId(i) }),
    BatchGetCustomers: (db, i) => batchGetCustomers(db, { customerIds: batchIds(pool, i) }),
    ListCustomers: (db, i) => {
      const filter = listFilter(pool, i);
      return listCustomers(db, {
        ...filter,
        status: "",
        registeredFrom: "",
        registeredTo: "",
        nameContains: "",
        pageToken: "",
      });
    },
    GetCustomerPortfolio: (db, i) =>
      getCustomerPortfolio(db, {
        customerId: customerId(i),
        asOf: "",
        activeOnly: false,
        pageSize: 0,
        pageToken: "",
      }),
    GetRecommendations: (db, i) =>
      getRecommendations(db, {
        customerId: customerId(i),
        minConfidence: 0,
        excludeCategories: [],
      }),
    GetCustomerSegment: (db, i) => getCustomerSegment(db, { customerId: customerId(i) }),
    ListProductCustomers: (db, i) =>
      listProductCustomers(db, {
        productId: at(pool.productIds, i),
        activeOnly: false,
        pageSize: 0,
        pageToken: "",
      }),
    ListAssociationRules: (db, i) =>
      listAssociationRules(db, {
        antecedent: at(pool.productIds, i),
        consequent: "",
        minConfidence: 0,
        minLift: 0,
        pageSize: 0,
        pageToken: "",
      }),
    GetSegmentSummary: (db) =>
      getSegmentSummary(db, { referenceDate: "", regions: [], customerTypes: [] }),
    GetTrends: (db) =>
      getTrends(db, {
        metrics: [],
        fromDate: "",
        toDate: "",
        regions: [],
        customerTypes: [],
        productCategories: [],
      }),
    GetTableProfile: (db, i) =>
      getTableProfile(db, { table: at(pool.tables, i), columns: [], includeCorrelations: true }),
    GetDataQualityReport: (db) => getDataQualityReport(db, { tables: [] }),
  };
}

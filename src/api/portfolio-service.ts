import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type {
  GetCustomerPortfolioRequest,
  PortfolioService,
  PortfolioTotalSchema,
} from "../../gen/customeranalytics/v1/portfolio_pb.js";
import {
  getCustomerPortfolio,
  getCustomerPortfolioFromSnapshot,
  type Portfolio,
  type PortfolioArgs,
  type PortfolioTotalRow,
} from "../query/portfolio-queries.js";
import type { Question, ReadRouter } from "../query/read-router.js";
import { HOLDING_SPEC } from "../write/resource-specs.js";
import type { Writes } from "../write/writes.js";
import { approx, readHandler } from "./read-options.js";
import { holdingWrites, withEtag } from "./write-service.js";

/** The same SQL on both sides; the snapshot checks the customer exists in memory. */
const getCustomerPortfolioQuestion: Question<PortfolioArgs, Portfolio> = {
  snapshot: getCustomerPortfolioFromSnapshot,
  live: getCustomerPortfolio,
  /** A holding shows its product's name and category, so product writes matter too. */
  overlay: {
    concerns: (args, pending) =>
      pending.concerns("customers", args.customerId) || pending.entries("products").length > 0,
  },
};

/** PortfolioService: validated requests in, the router's answers mapped to messages out. */
export function portfolioService(
  router: ReadRouter,
  writes: Writes,
): ServiceImpl<typeof PortfolioService> {
  return {
    ...holdingWrites(writes),
    getCustomerPortfolio: readHandler(
      router,
      getCustomerPortfolioQuestion,
      (req: GetCustomerPortfolioRequest) => req,
      (value) => ({
        customerId: value.customerId,
        asOf: value.asOf,
        holdings: value.holdings.map((h) => ({
          ...withEtag(HOLDING_SPEC, h, { customer_id: value.customerId }),
          valueNumber: approx(h.value),
        })),
        categoryTotals: value.categoryTotals.map(total),
        totals: total(value.totals),
        nextPageToken: value.nextPageToken,
      }),
    ),
  };
}

function total(row: PortfolioTotalRow): MessageInitShape<typeof PortfolioTotalSchema> {
  return {
    ...row,
    totalValueNumber: approx(row.totalValue),
    activeValueNumber: approx(row.activeValue),
  };
}

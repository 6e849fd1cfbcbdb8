import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type {
  PortfolioService,
  PortfolioTotalSchema,
} from "../../gen/customeranalytics/v1/portfolio_pb.js";
import { getCustomerPortfolio, type PortfolioTotalRow } from "../query/portfolio-queries.js";
import { type ReadRouter, sharedQuestion } from "../query/read-router.js";
import { approx, readPolicy, resultMeta } from "./read-options.js";

const getCustomerPortfolioQuestion = sharedQuestion(getCustomerPortfolio);

/** PortfolioService: validated requests in, the router's answers mapped to messages out. */
export function portfolioService(router: ReadRouter): ServiceImpl<typeof PortfolioService> {
  return {
    async getCustomerPortfolio(req) {
      const { value, meta } = await router.ask(
        getCustomerPortfolioQuestion,
        req,
        readPolicy(req.readOptions),
      );
      return {
        customerId: value.customerId,
        asOf: value.asOf,
        holdings: value.holdings.map((h) => ({ ...h, valueNumber: approx(h.value) })),
        categoryTotals: value.categoryTotals.map(total),
        totals: total(value.totals),
        nextPageToken: value.nextPageToken,
        meta: resultMeta(meta),
      };
    },
  };
}

function total(row: PortfolioTotalRow): MessageInitShape<typeof PortfolioTotalSchema> {
  return {
    ...row,
    totalValueNumber: approx(row.totalValue),
    activeValueNumber: approx(row.activeValue),
  };
}

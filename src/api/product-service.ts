import type { ServiceImpl } from "@connectrpc/connect";
import type { ProductService } from "../../gen/customeranalytics/v1/product_pb.js";
import {
  getProductQuestion,
  listProductCustomersQuestion,
  listProducts,
} from "../query/product-queries.js";
import { type ReadRouter, sharedQuestion } from "../query/read-router.js";
import type { Writes } from "../write/writes.js";
import { approx, readPolicy, resultMeta } from "./read-options.js";
import { productWrites } from "./write-service.js";

const listProductsQuestion = sharedQuestion(listProducts);

/** ProductService: validated requests in, the router's answers mapped to messages out. */
export function productService(
  router: ReadRouter,
  writes: Writes,
): ServiceImpl<typeof ProductService> {
  return {
    ...productWrites(writes),
    async getProduct(req) {
      const { value, meta } = await router.ask(
        getProductQuestion,
        { productId: req.productId },
        readPolicy(req.readOptions),
      );
      return {
        product: value.product,
        summary: { ...value.summary, totalValueNumber: approx(value.summary.totalValue) },
        meta: resultMeta(meta),
      };
    },
    async listProducts(req) {
      const { value, meta } = await router.ask(
        listProductsQuestion,
        req,
        readPolicy(req.readOptions),
      );
      return { ...value, meta: resultMeta(meta) };
    },
    async listProductCustomers(req) {
      const { value, meta } = await router.ask(
        listProductCustomersQuestion,
        req,
        readPolicy(req.readOptions),
      );
      return {
        holders: value.holders.map((h) => ({ ...h, totalValueNumber: approx(h.totalValue) })),
        nextPageToken: value.nextPageToken,
        asOf: value.asOf,
        meta: resultMeta(meta),
      };
    },
  };
}

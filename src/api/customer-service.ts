import type { ServiceImpl } from "@connectrpc/connect";
import type {
  BatchGetCustomersRequest,
  CustomerService,
  GetCustomerRequest,
  ListCustomersRequest,
} from "../../gen/customeranalytics/v1/customer_pb.js";
import {
  batchGetCustomers,
  batchGetCustomersFromSnapshot,
  type CustomerDetail,
  getCustomer,
  getCustomerFromSnapshot,
  listCustomers,
} from "../query/customer-queries.js";
import type { PendingView } from "../query/pending-writes.js";
import { type Question, type ReadRouter, sharedQuestion } from "../query/read-router.js";
import { CUSTOMER_SPEC } from "../write/resource-specs.js";
import type { Writes } from "../write/writes.js";
import { approx, readHandler } from "./read-options.js";
import { customerWrites, withEtag } from "./write-service.js";

/** The snapshot answers from memory once it can; the live source by the same SQL as ever. */
const batchGetCustomersQuestion: Question<
  Parameters<typeof batchGetCustomers>[1],
  Awaited<ReturnType<typeof batchGetCustomers>>
> = {
  snapshot: batchGetCustomersFromSnapshot,
  live: batchGetCustomers,
  overlay: {
    concerns: (args, pending) => args.customerIds.some((id) => pending.concerns("customers", id)),
  },
};
const getCustomerQuestion: Question<Parameters<typeof getCustomer>[1], CustomerDetail> = {
  snapshot: getCustomerFromSnapshot,
  live: getCustomer,
  overlay: { concerns: (args, pending) => pending.concerns("customers", args.customerId) },
};
/** Pending writes of customers change a listing; holdings do not show in it. */
const listCustomersQuestion = {
  ...sharedQuestion(listCustomers),
  overlay: {
    concerns: (_: unknown, pending: PendingView) => pending.entries("customers").length > 0,
  },
};

/** CustomerService: validated requests in, the router's answers mapped to messages out. */
export function customerService(
  router: ReadRouter,
  writes: Writes,
): ServiceImpl<typeof CustomerService> {
  return {
    ...customerWrites(writes),
    getCustomer: readHandler(
      router,
      getCustomerQuestion,
      (req: GetCustomerRequest) => ({ customerId: req.customerId }),
      customerDetail,
    ),
    batchGetCustomers: readHandler(
      router,
      batchGetCustomersQuestion,
      (req: BatchGetCustomersRequest) => ({ customerIds: req.customerIds }),
      (value) => ({
        customers: value.customers.map(customerDetail),
        missingCustomerIds: value.missing,
      }),
    ),
    listCustomers: readHandler(
      router,
      listCustomersQuestion,
      (req: ListCustomersRequest) => req,
      (value) => ({
        ...value,
        customers: value.customers.map((c) => withEtag(CUSTOMER_SPEC, c)),
      }),
    ),
  };
}

function customerDetail(detail: CustomerDetail) {
  return {
    customer: withEtag(CUSTOMER_SPEC, detail.customer),
    summary: { ...detail.summary, totalValueNumber: approx(detail.summary.totalValue) },
  };
}

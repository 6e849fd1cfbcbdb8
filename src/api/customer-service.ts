import type { ServiceImpl } from "@connectrpc/connect";
import type {
  BatchGetCustomersRequest,
  CustomerService,
  GetCustomerRequest,
  ListCustomersRequest,
} from "../../gen/customeranalytics/v1/customer_pb.js";
import { RfmSegment } from "../../gen/customeranalytics/v1/segmentation_pb.js";
import { RFM_SEGMENTS } from "../analytics/rfm/rfm-sql.js";
import {
  batchGetCustomers,
  batchGetCustomersFromSnapshot,
  type CustomerDetail,
  getCustomer,
  getCustomerFromSnapshot,
  listCustomers,
  listCustomersFromSnapshot,
  listCustomersLive,
} from "../query/customer-queries.js";
import type { PendingView } from "../query/pending-writes.js";
import type { Question, QuestionOf, ReadRouter } from "../query/read-router.js";
import { CUSTOMER_SPEC } from "../write/resource-specs.js";
import type { Writes } from "../write/writes.js";
import { enumArg, enumWords } from "./message-values.js";
import { approx, readHandler } from "./read-options.js";
import { customerWrites, withEtag } from "./write-service.js";

/** The snapshot answers from memory once it can; the live source by the same SQL as ever. */
const batchGetCustomersQuestion: QuestionOf<typeof batchGetCustomers> = {
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
/**
 * In memory on the snapshot once built, live without the snapshot-only segment filter; pending
 * writes of customers change a listing (holdings do not show in it), answered by the shared SQL
 * over the overlay, which has the snapshot's RFM scores for the segment filter.
 */
const listCustomersQuestion: QuestionOf<typeof listCustomers> = {
  snapshot: listCustomersFromSnapshot,
  live: listCustomersLive,
  overlay: {
    concerns: (_, pending: PendingView) => pending.entries("customers").length > 0,
    ask: (db, args) => listCustomers(db, args),
  },
};
/** The RFM segments as the proto's enum names, for the segment filter. */
const SEGMENTS = enumWords(RfmSegment, RFM_SEGMENTS);

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
      (req: ListCustomersRequest) => ({
        ...req,
        segment: enumArg(SEGMENTS, req.segment, "segment") ?? "",
      }),
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

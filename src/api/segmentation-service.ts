import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  CohortGranularity,
  type CohortSchema,
  type GetSegmentSummaryRequest,
  GetSegmentSummaryResponseSchema,
  RfmSegment,
  type SegmentationService,
  type SegmentStatsSchema,
} from "../../gen/customeranalytics/v1/segmentation_pb.js";
import { COHORT_GRANULARITIES } from "../analytics/cohorts/cohorts.js";
import { RFM_SEGMENTS } from "../analytics/rfm/rfm-sql.js";
import type { Cohort } from "../query/cohort-queries.js";
import type { ReadRouter } from "../query/read-router.js";
import {
  getCohortRetention,
  getCustomerSegment,
  getSegmentSummary,
  type SegmentStats,
} from "../query/segmentation-queries.js";
import { canonicalFilters } from "./canonical-filters.js";
import { encodedReadHandler } from "./encoded-read-handler.js";
import { enumArg, enumOf, enumWords, int64 } from "./message-values.js";
import { approx, askerFor } from "./read-options.js";
import { snapshotQuestion } from "./snapshot-question.js";

const SEGMENTS = enumWords(RfmSegment, RFM_SEGMENTS);
const GRANULARITIES = enumWords(CohortGranularity, COHORT_GRANULARITIES);

/** Snapshot-only: scores, summaries and cohorts are the snapshot's derived tables. */
const segmentSummaryQuestion = snapshotQuestion(
  getSegmentSummary,
  "GetSegmentSummary",
  canonicalFilters(["regions", "customerTypes"]),
);

/** Snapshot-only, like {@link segmentSummaryQuestion}. */
const customerSegmentQuestion = snapshotQuestion(getCustomerSegment);

/** Snapshot-only, like {@link segmentSummaryQuestion}. */
const cohortRetentionQuestion = snapshotQuestion(getCohortRetention, "GetCohortRetention");

/** SegmentationService: validated requests in, the router's answers mapped to messages out. */
export function segmentationService(router: ReadRouter): ServiceImpl<typeof SegmentationService> {
  const ask = askerFor(router);
  return {
    /** The summary is the same for every caller with the same filters: encoded once. */
    getSegmentSummary: encodedReadHandler(
      router,
      GetSegmentSummaryResponseSchema,
      segmentSummaryQuestion,
      (req: GetSegmentSummaryRequest) => ({
        referenceDate: req.referenceDate,
        regions: req.regions,
        customerTypes: req.customerTypes,
      }),
      (value) => ({
        referenceDate: value.referenceDate,
        scoredCustomerCount: int64(value.scoredCustomers),
        segments: value.segments.map(segmentStats),
      }),
    ),
    async getCustomerSegment(req) {
      const { value, meta } = await ask(
        customerSegmentQuestion,
        { customerId: req.customerId, referenceDate: req.referenceDate },
        req.readOptions,
      );
      return {
        customerId: value.customerId,
        referenceDate: value.referenceDate,
        scored: value.scored,
        recencyDays: value.recency ?? 0,
        frequency: int64(value.frequency),
        monetary: value.monetary,
        monetaryNumber: approx(value.monetary),
        lastStartDate: value.lastStartDate ?? "",
        rScore: value.rScore ?? 0,
        fScore: value.fScore ?? 0,
        mScore: value.mScore ?? 0,
        rfmScore: value.rfmScore ?? "",
        segment: enumOf(SEGMENTS, value.segment, RfmSegment.UNSPECIFIED),
        meta,
      };
    },
    async getCohortRetention(req) {
      const granularity = enumArg(GRANULARITIES, req.granularity, "granularity");
      const { value, meta } = await ask(
        cohortRetentionQuestion,
        {
          fromDate: req.fromDate,
          toDate: req.toDate,
          maxPeriods: req.maxPeriods,
          granularity,
        },
        req.readOptions,
      );
      return {
        granularity: enumOf(GRANULARITIES, value.granularity, CohortGranularity.UNSPECIFIED),
        cohorts: value.cohorts.map(cohort),
        meta,
      };
    },
  };
}

function segmentStats(s: SegmentStats): MessageInitShape<typeof SegmentStatsSchema> {
  return {
    segment: enumOf(SEGMENTS, s.segment, RfmSegment.UNSPECIFIED),
    customerCount: int64(s.customers),
    share: s.share,
    meanRecencyDays: s.meanRecency,
    meanFrequency: s.meanFrequency,
    meanMonetaryNumber: s.meanMonetary,
    totalMonetary: s.totalMonetary,
  };
}

function cohort(c: Cohort): MessageInitShape<typeof CohortSchema> {
  return {
    cohortStart: c.cohortStart,
    size: int64(c.size),
    periods: c.periods.map((p) => ({
      period: p.period,
      periodStart: p.periodStart,
      activeCustomers: int64(p.activeCustomers),
      retention: p.retention,
      revenue: p.revenue,
      revenueNumber: approx(p.revenue),
    })),
  };
}

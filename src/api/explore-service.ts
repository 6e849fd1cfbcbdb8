import type { ServiceImpl } from "@connectrpc/connect";
import {
  type ExploreService,
  type GetDataQualityReportRequest,
  GetDataQualityReportResponseSchema,
  type GetTableProfileRequest,
  GetTableProfileResponseSchema,
  type ListTablesRequest,
} from "../../gen/customeranalytics/v1/explore_pb.js";
import { getDataQualityReport, getTableProfile, listTables } from "../query/explore-queries.js";
import type { TableInfo } from "../query/explore-types.js";
import type { ReadRouter } from "../query/read-router.js";
import { encodedReadHandler } from "./encoded-read-handler.js";
import {
  columnProfile,
  correlation,
  correlationStatus,
  dataQualitySummary,
  expectationResult,
  exploreTable,
  profileAlert,
  tableProfile,
} from "./explore-messages.js";
import { readHandler } from "./read-options.js";
import { snapshotQuestion } from "./snapshot-question.js";

/** Snapshot-only: the table summaries are stored while the snapshot is built. */
const listTablesQuestion = snapshotQuestion<Record<string, never>, TableInfo[]>(
  (db) => listTables(db),
  "ListTables",
);

/** Snapshot-only: profiles are computed while the snapshot is built. */
const tableProfileQuestion = snapshotQuestion(getTableProfile, "GetTableProfile");

/** Snapshot-only: expectation results are computed while the snapshot is built. */
const dataQualityQuestion = snapshotQuestion(getDataQualityReport, "GetDataQualityReport");

/** ExploreService: validated requests in, the router's answers mapped to messages out. */
export function exploreService(router: ReadRouter): ServiceImpl<typeof ExploreService> {
  return {
    listTables: readHandler(
      router,
      listTablesQuestion,
      (_: ListTablesRequest) => ({}),
      (value) => ({ tables: value.map(exploreTable) }),
    ),
    /** Profiles and quality reports are big and the same for every caller: encoded once. */
    getTableProfile: encodedReadHandler(
      router,
      GetTableProfileResponseSchema,
      tableProfileQuestion,
      (req: GetTableProfileRequest) => ({
        table: req.table,
        columns: req.columns,
        includeCorrelations: req.includeCorrelations,
      }),
      (value) => ({
        table: tableProfile(value.table),
        columns: value.columns.map(columnProfile),
        correlationStatus: correlationStatus(value.correlationStatus),
        correlations: value.correlations.map(correlation),
        alerts: value.alerts.map(profileAlert),
      }),
    ),
    getDataQualityReport: encodedReadHandler(
      router,
      GetDataQualityReportResponseSchema,
      dataQualityQuestion,
      (req: GetDataQualityReportRequest) => ({ tables: req.tables }),
      (value) => ({
        results: value.results.map(expectationResult),
        summary: dataQualitySummary(value.summary),
      }),
    ),
  };
}

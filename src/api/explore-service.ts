import type { ServiceImpl } from "@connectrpc/connect";
import {
  type ExploreService,
  GetDataQualityReportResponseSchema,
  GetTableProfileResponseSchema,
} from "../../gen/customeranalytics/v1/explore_pb.js";
import { getDataQualityReport, getTableProfile, listTables } from "../query/explore-queries.js";
import type { TableInfo } from "../query/explore-types.js";
import type { ReadRouter } from "../query/read-router.js";
import { encodedOnce } from "./encoded-once.js";
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
import { askerFor } from "./read-options.js";
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

/** Profiles and quality reports are big and the same for every caller: encoded once. */
const profileBytes = encodedOnce(GetTableProfileResponseSchema);
const qualityBytes = encodedOnce(GetDataQualityReportResponseSchema);

/** ExploreService: validated requests in, the router's answers mapped to messages out. */
export function exploreService(router: ReadRouter): ServiceImpl<typeof ExploreService> {
  const ask = askerFor(router);
  return {
    async listTables(req) {
      const { value, meta } = await ask(listTablesQuestion, {}, req.readOptions);
      return { tables: value.map(exploreTable), meta };
    },
    async getTableProfile(req, ctx) {
      const { value, meta } = await ask(
        tableProfileQuestion,
        {
          table: req.table,
          columns: req.columns,
          includeCorrelations: req.includeCorrelations,
        },
        req.readOptions,
      );
      return profileBytes(
        ctx,
        value,
        () => ({
          table: tableProfile(value.table),
          columns: value.columns.map(columnProfile),
          correlationStatus: correlationStatus(value.correlationStatus),
          correlations: value.correlations.map(correlation),
          alerts: value.alerts.map(profileAlert),
        }),
        { meta },
      );
    },
    async getDataQualityReport(req, ctx) {
      const { value, meta } = await ask(
        dataQualityQuestion,
        { tables: req.tables },
        req.readOptions,
      );
      return qualityBytes(
        ctx,
        value,
        () => ({
          results: value.results.map(expectationResult),
          summary: dataQualitySummary(value.summary),
        }),
        { meta },
      );
    },
  };
}

import type { ServiceImpl } from "@connectrpc/connect";
import {
  type ExploreService,
  GetDataQualityReportResponseSchema,
  GetTableProfileResponseSchema,
} from "../../gen/customeranalytics/v1/explore_pb.js";
import {
  type DataQualityQuery,
  getDataQualityReport,
  getTableProfile,
  listTables,
  type TableProfileQuery,
} from "../query/explore-queries.js";
import type { DataQualityReport, TableInfo, TableProfileResult } from "../query/explore-types.js";
import type { Question, ReadRouter } from "../query/read-router.js";
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
import { readPolicy, resultMeta } from "./read-options.js";

/** Snapshot-only: the table summaries are stored while the snapshot is built. */
const listTablesQuestion: Question<Record<string, never>, TableInfo[]> = {
  snapshot: (db) => listTables(db),
  remember: "ListTables",
};

/** Snapshot-only: profiles are computed while the snapshot is built. */
const tableProfileQuestion: Question<TableProfileQuery, TableProfileResult> = {
  snapshot: getTableProfile,
  remember: "GetTableProfile",
};

/** Snapshot-only: expectation results are computed while the snapshot is built. */
const dataQualityQuestion: Question<DataQualityQuery, DataQualityReport> = {
  snapshot: getDataQualityReport,
  remember: "GetDataQualityReport",
};

/** Profiles and quality reports are big and the same for every caller: encoded once. */
const profileBytes = encodedOnce(GetTableProfileResponseSchema);
const qualityBytes = encodedOnce(GetDataQualityReportResponseSchema);

/** ExploreService: validated requests in, the router's answers mapped to messages out. */
export function exploreService(router: ReadRouter): ServiceImpl<typeof ExploreService> {
  return {
    async listTables(req) {
      const { value, meta } = await router.ask(listTablesQuestion, {}, readPolicy(req.readOptions));
      return { tables: value.map(exploreTable), meta: resultMeta(meta) };
    },
    async getTableProfile(req, ctx) {
      const { value, meta } = await router.ask(
        tableProfileQuestion,
        {
          table: req.table,
          columns: req.columns,
          includeCorrelations: req.includeCorrelations,
        },
        readPolicy(req.readOptions),
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
        { meta: resultMeta(meta) },
      );
    },
    async getDataQualityReport(req, ctx) {
      const { value, meta } = await router.ask(
        dataQualityQuestion,
        { tables: req.tables },
        readPolicy(req.readOptions),
      );
      return qualityBytes(
        ctx,
        value,
        () => ({
          results: value.results.map(expectationResult),
          summary: dataQualitySummary(value.summary),
        }),
        { meta: resultMeta(meta) },
      );
    },
  };
}

import { buildCohorts } from "../analytics/cohorts/cohorts.js";
import { buildAssociationRules } from "../analytics/cross-sell/association-rules.js";
import { buildBaskets } from "../analytics/cross-sell/baskets.js";
import { buildRecommendations } from "../analytics/cross-sell/recommendations.js";
import { resolveAnalyticsDates } from "../analytics/derived-params.js";
import { buildRfm } from "../analytics/rfm/rfm.js";
import { buildTrends } from "../analytics/trends/trends.js";
import type { TableBuild } from "../snapshot/snapshot-build.js";
import type { SqlParam, SqlRunner } from "../snapshot/sql-runner.js";

/** Settings of the cross-sell, RFM, cohort and trend builds; every one has a sensible default. */
export interface AnalyticsOptions {
  /** The day "active" and RFM recency are judged on; default the day after the last start. */
  readonly referenceDate?: string;
  /** The fractional support floor of the precomputed association rules (default 0.01). */
  readonly rulesMinSupport?: number;
  /** The count floor of the precomputed association rules (default 5 customers). */
  readonly rulesMinPairCount?: number;
  /** Recommendations precomputed per customer (default 10). */
  readonly recommendationsTopN?: number;
  /** Customers holding more products are ranked at query time (default 150). */
  readonly recommendationsMaxHeld?: number;
}

const CREATE_TABLE = /^\s*CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)/i;

/**
 * Builds every analytics table this module owns, in dependency order (dates, baskets, rules,
 * recommendations, RFM, cohorts, trends), and reports each table's build time and row count for
 * the snapshot's metadata. Time spent in statements that create no lasting table (floors,
 * temporary tables, parameters) counts towards the next table created.
 */
export async function buildAnalytics(
  db: SqlRunner,
  options: AnalyticsOptions = {},
): Promise<TableBuild[]> {
  const timings = new Map<string, number>();
  const timed = timingRunner(db, timings);
  const dates = await resolveAnalyticsDates(timed, options.referenceDate);
  await buildBaskets(timed, dates);
  await buildAssociationRules(timed, {
    ...(options.rulesMinSupport === undefined ? {} : { minSupport: options.rulesMinSupport }),
    ...(options.rulesMinPairCount === undefined ? {} : { minPairCount: options.rulesMinPairCount }),
  });
  await buildRecommendations(timed, {
    ...(options.recommendationsTopN === undefined ? {} : { topN: options.recommendationsTopN }),
    ...(options.recommendationsMaxHeld === undefined
      ? {}
      : { maxHeld: options.recommendationsMaxHeld }),
  });
  await buildRfm(timed, dates);
  await buildCohorts(timed);
  await buildTrends(timed, dates);
  const builds: TableBuild[] = [];
  for (const [table, durationMs] of timings) {
    const [row] = await db.all(`SELECT count(*)::BIGINT AS n FROM ${table}`);
    builds.push({ table, rows: Number(row?.n ?? 0), durationMs });
  }
  return builds;
}

function timingRunner(db: SqlRunner, timings: Map<string, number>): SqlRunner {
  let pending = 0;
  return {
    all: (sql, params) => db.all(sql, params),
    async run(sql: string, params?: readonly SqlParam[]) {
      const started = performance.now();
      await db.run(sql, params);
      pending += performance.now() - started;
      const table = CREATE_TABLE.exec(sql)?.[1];
      if (table !== undefined) {
        timings.set(table, (timings.get(table) ?? 0) + pending);
        pending = 0;
      }
    },
  };
}

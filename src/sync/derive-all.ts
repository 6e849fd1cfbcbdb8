import type { AnalyticsBuild, AnalyticsOptions } from "../analytics/analytics-build.js";
import { ANALYTICS_BUILDS } from "../analytics/analytics-builds.js";
import { DERIVED_PARAMS_TABLE, resolveAnalyticsDates } from "../analytics/derived-params.js";
import type { TableBuild } from "../snapshot/snapshot-build.js";
import type { SqlRunner } from "../snapshot/sql-runner.js";

/** What a derive step may know about the snapshot it builds into. */
export interface DeriveContext {
  /** When the snapshot's data was true at the source (data-quality freshness). */
  readonly dataAsOf: Date;
}

/** Counts a derived table's rows; the name comes from a build's declaration, never a request. */
const countRowsSql = (table: string) => `SELECT count(*)::BIGINT AS n FROM "${table}"`;

/**
 * Every derived table of a snapshot, built while it is made so that each analytics RPC is a
 * lookup. The one orchestrator of the derived build: it fixes the dates every build shares
 * (recorded in `derived_params`), runs the registered builds in order (by default all of
 * {@link ANALYTICS_BUILDS}: cross-sell, cohorts, trends, the column profiles, then RFM, the
 * data-quality checks and the value models), and times each build itself. Returns, per build,
 * its first table's rows and the build's time, for the sync status, the metrics and the
 * snapshot's metadata; rows are counted once every build is done, so a table later builds add
 * to is counted whole.
 */
export async function deriveAll(
  db: SqlRunner,
  context: DeriveContext,
  options: AnalyticsOptions = {},
  builds: readonly AnalyticsBuild[] = ANALYTICS_BUILDS,
): Promise<TableBuild[]> {
  const timings: { readonly table: string; readonly durationMs: number }[] = [];
  const timed = async <T>(table: string, run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await run();
    timings.push({ table, durationMs: performance.now() - started });
    return result;
  };
  const dates = await timed(DERIVED_PARAMS_TABLE, () =>
    resolveAnalyticsDates(db, options.referenceDate),
  );
  const shared = { dates, options, dataAsOf: context.dataAsOf };
  for (const step of builds) await timed(step.tables[0], () => step.build(db, shared));
  const reports: TableBuild[] = [];
  for (const { table, durationMs } of timings) {
    const [row] = await db.all(countRowsSql(table));
    reports.push({ table, rows: Number(row?.n ?? 0), durationMs });
  }
  return reports;
}

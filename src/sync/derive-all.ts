import { buildValueModel } from "../analytics/value/value-build.js";
import type { TableBuild } from "../snapshot/snapshot-build.js";
import type { SqlRunner } from "../snapshot/sql-runner.js";
import { buildDataQuality } from "./derive/data-quality.js";
import { type AnalyticsOptions, buildAnalytics } from "./derive/index.js";
import { buildProfiles } from "./derive/profiles.js";

/** What a derive step may know about the snapshot it builds into. */
export interface DeriveContext {
  /** When the snapshot's data was true at the source (data-quality freshness). */
  readonly dataAsOf: Date;
}

/**
 * Every derived table of a snapshot, built while it is made so that each analytics RPC is a
 * lookup: cross-sell, RFM, cohorts and trends first, then the column profiles and the data
 * quality checks (which reuse the profiles' key counts), then the value models (BG/NBD and
 * Gamma-Gamma, on the reference day the analytics fixed). Returns each table's build time and
 * rows for the sync status and the snapshot's metadata.
 */
export async function deriveAll(
  db: SqlRunner,
  context: DeriveContext,
  options: AnalyticsOptions = {},
): Promise<TableBuild[]> {
  const builds = await buildAnalytics(db, options);
  builds.push(await timed(db, "eda_column_profile", () => buildProfiles(db)));
  builds.push(
    await timed(db, "dq_results", () =>
      buildDataQuality(db, { dataAsOf: context.dataAsOf, now: new Date() }),
    ),
  );
  builds.push(...(await buildValueModel(db)));
  return builds;
}

const COUNT = {
  eda_column_profile: "SELECT count(*)::BIGINT AS n FROM eda_column_profile",
  dq_results: "SELECT count(*)::BIGINT AS n FROM dq_results",
} as const;

async function timed(
  db: SqlRunner,
  table: keyof typeof COUNT,
  build: () => Promise<void>,
): Promise<TableBuild> {
  const started = performance.now();
  await build();
  const durationMs = performance.now() - started;
  const [row] = await db.all(COUNT[table]);
  return { table, rows: Number(row?.n ?? 0), durationMs };
}

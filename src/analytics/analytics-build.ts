import type { SqlRunner } from "../snapshot/sql-runner.js";
import type { AnalyticsDates } from "./derived-params.js";

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

/** What every build of one snapshot shares, fixed before the first build runs. */
export interface AnalyticsContext {
  /** The reference and first dates, already recorded in `derived_params`. */
  readonly dates: AnalyticsDates;
  readonly options: AnalyticsOptions;
  /** When the snapshot's data was true at the source (data-quality freshness). */
  readonly dataAsOf: Date;
}

/**
 * One step of a snapshot's derived build, as a slice declares it, so that the sync runs every
 * slice from one list, in order, and times and counts each step itself (no builder reports on
 * its own tables). A step may read the base tables and any table an earlier step created.
 */
export interface AnalyticsBuild {
  /** The folder under src/analytics/ the step belongs to (for the docs and for filtering). */
  readonly slice: string;
  /**
   * Every table the step creates. The first is the one the sync status, the snapshot metadata
   * and the metrics report the step by: its rows, and the step's time.
   */
  readonly tables: readonly [string, ...string[]];
  /** Creates the tables from what the snapshot already holds. */
  build(db: SqlRunner, context: AnalyticsContext): Promise<void>;
}

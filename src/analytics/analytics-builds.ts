import type { AnalyticsBuild } from "./analytics-build.js";
import { COHORT_BUILDS } from "./cohorts/cohorts.js";
import { CROSS_SELL_BUILDS } from "./cross-sell/cross-sell-builds.js";
import { DATA_QUALITY_BUILDS } from "./data-quality/data-quality.js";
import { PROFILE_BUILDS } from "./profiles/profiles.js";
import { RFM_BUILDS } from "./rfm/rfm.js";
import { TREND_BUILDS } from "./trends/trends.js";
import { VALUE_BUILDS } from "./value/value-build.js";

/**
 * Every derived build of a snapshot, in the order the sync runs them: the one place a slice is
 * registered (a new slice adds its `*_BUILDS` here, one line). Order matters where a slice reads
 * another's tables: RFM and data quality reuse the profiles' key counts, so they come after
 * them.
 */
export const ANALYTICS_BUILDS: readonly AnalyticsBuild[] = [
  ...CROSS_SELL_BUILDS,
  ...COHORT_BUILDS,
  ...TREND_BUILDS,
  ...PROFILE_BUILDS,
  ...RFM_BUILDS,
  ...DATA_QUALITY_BUILDS,
  ...VALUE_BUILDS,
];

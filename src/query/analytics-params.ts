import type { BasketMode } from "../analytics/cross-sell/baskets.js";
import { DERIVED_PARAM, SELECT_DERIVED_PARAMS } from "../analytics/derived-params.js";
import { AppError } from "../app-error.js";
import type { SnapshotReader } from "../snapshot/snapshot-reader.js";
import type { SqlRunner } from "../snapshot/sql-runner.js";
import { cellNumber, cellText } from "./row-values.js";

/** What the snapshot's analytics tables were built with; decides what they can answer. */
export interface AnalyticsParams {
  /** The reference date of baskets, RFM and trends (YYYY-MM-DD). */
  readonly referenceDate: string;
  /** The earliest start_date (YYYY-MM-DD): where the trend calendar begins. */
  readonly firstStartDate: string;
  /** Recommendations precomputed per customer. */
  readonly recommendationsTopN: number;
  /** Customers holding more products than this have no precomputed list (0: no limit). */
  readonly recommendationsMaxHeld: number;
  /** Per basket mode: N (baskets) and the rules' count floor. */
  readonly baskets: Readonly<
    Record<BasketMode, { readonly n: number; readonly minPairCount: number }>
  >;
}

/** The memo key of the settings: a snapshot's settings never change, so they are read once. */
const PARAMS_MEMO = "analytics params";

/**
 * Reads the analytics build settings in one small query, once per snapshot when `db` is a
 * snapshot's reader (every analytics RPC needs them). Fails with failed_precondition when the
 * snapshot predates these tables, so callers get a clear error rather than a SQL one.
 */
export function readAnalyticsParams(db: SqlRunner | SnapshotReader): Promise<AnalyticsParams> {
  return "memo" in db ? db.memo.answer(PARAMS_MEMO, () => queryParams(db)) : queryParams(db);
}

async function queryParams(db: SqlRunner): Promise<AnalyticsParams> {
  const rows = await db.all(SELECT_DERIVED_PARAMS).catch((cause: unknown) => {
    throw new AppError("failed_precondition", "the snapshot has no analytics tables", { cause });
  });
  const byName = new Map(rows.map((r) => [cellText(r.name) ?? "", cellText(r.value)]));
  const text = (name: string): string => {
    const value = byName.get(name);
    if (value === undefined || value === null) {
      throw new AppError("failed_precondition", `the snapshot lacks the analytics setting ${name}`);
    }
    return value;
  };
  const mode = (m: BasketMode) => ({
    n: cellNumber(text(`baskets_${m}`)),
    minPairCount: cellNumber(text(`min_pair_count_${m}`)),
  });
  return {
    referenceDate: text(DERIVED_PARAM.referenceDate),
    firstStartDate: text(DERIVED_PARAM.firstStartDate),
    recommendationsTopN: cellNumber(text(DERIVED_PARAM.recommendationsTopN)),
    recommendationsMaxHeld: cellNumber(text(DERIVED_PARAM.recommendationsMaxHeld)),
    baskets: { active: mode("active"), all: mode("all") },
  };
}

/**
 * True when every rule with support >= minSupport has a pair count at or above the precomputed
 * floor, so the precomputed rules hold them all: the smallest count passing the threshold,
 * ceil(minSupport * N), must be >= the floor, i.e. (floor - 1) / N < minSupport.
 */
export function supportServedByFloor(
  minSupport: number,
  basket: { readonly n: number; readonly minPairCount: number },
): boolean {
  return basket.minPairCount <= 1 || (basket.minPairCount - 1) / basket.n < minSupport;
}

import type { SqlRunner } from "../../snapshot/sql-runner.js";
import { type BgnbdFit, fitBgnbd } from "./bgnbd.js";
import { fitGammaGamma, type GammaGammaFit } from "./gamma-gamma.js";
import { type HoldoutBucket, holdoutTable } from "./holdout-check.js";
import type { PurchaseHistories } from "./purchase-histories.js";
import { UNIT_DAYS, type ValueArgs } from "./value-args.js";
import {
  INLINE_SUMMARY_QUERIES,
  STAGED_SUMMARY_QUERIES,
  type SummaryQueries,
  summaryParams,
} from "./value-sql.js";

/** Where a fit reads the purchase summary: computed inline, or staged once by a build. */
export interface SummarySource {
  readonly queries: SummaryQueries;
  readonly params: readonly (string | number)[];
}

/** The inline summary for `args` (a fit on request, on a read-only snapshot). */
export function inlineSummary(args: ValueArgs): SummarySource {
  return {
    queries: INLINE_SUMMARY_QUERIES,
    params: summaryParams(args.calibrationEnd, UNIT_DAYS[args.timeUnit]),
  };
}

/** The staged summary a build made with STAGE_SUMMARY. */
export const STAGED_SUMMARY_SOURCE: SummarySource = { queries: STAGED_SUMMARY_QUERIES, params: [] };

/** Both fitted models on one calibration window, with the counts that explain them. */
export interface ValueModel {
  readonly args: ValueArgs;
  readonly bgnbd: BgnbdFit;
  readonly gammaGamma: GammaGammaFit;
  /** Customers with a purchase in the calibration window (all enter the BG/NBD fit). */
  readonly customers: number;
  /** Customers with at least one repeat purchase day. */
  readonly repeatBuyers: number;
  /**
   * Repeat buyers left out of the spend fit because their repeat days are worth nothing (or
   * less, after returns): the Gamma-Gamma likelihood is undefined for a zero mean spend.
   */
  readonly spendLeftOut: number;
  /** Seconds spent in the two likelihood fits, for the build's log and the bench. */
  readonly fitSeconds: number;
  /** The calibration-vs-holdout check, when a holdout end was given. */
  readonly holdout: readonly HoldoutBucket[] | undefined;
}

/**
 * Fits the BG/NBD and Gamma-Gamma models for `args` from the base tables: the purchase
 * summary is aggregated in SQL to distinct histories (BG/NBD) and two lists (Gamma-Gamma), so
 * what crosses into JavaScript is small and typed. A fit that fails to converge is returned
 * as such; callers must not predict with it.
 */
export async function fitValueModel(
  db: SqlRunner,
  args: ValueArgs,
  source: SummarySource = inlineSummary(args),
): Promise<ValueModel> {
  const { queries, params } = source;
  const [groups] = await db.all(queries.historyGroups, params);
  const column = (name: string) => Float64Array.from((groups?.[name] ?? []) as readonly number[]);
  const histories: PurchaseHistories = {
    x: column("xs"),
    tx: column("txs"),
    T: column("ts"),
    weight: column("ns"),
  };
  const [lists] = await db.all(queries.spendLists, params);
  const [counts] = await db.all(queries.counts, params);
  const xs = (lists?.xs ?? []) as readonly number[];
  const zs = (lists?.zs ?? []) as readonly number[];
  const started = performance.now();
  const bgnbd = fitBgnbd(histories);
  const gammaGamma = fitGammaGamma({ x: Float64Array.from(xs), zbar: Float64Array.from(zs) });
  const fitSeconds = (performance.now() - started) / 1000;
  const holdout = args.holdoutEnd === "" ? undefined : await holdoutTable(db, args, bgnbd, source);
  return {
    args,
    bgnbd,
    gammaGamma,
    customers: Number(counts?.customers ?? 0),
    repeatBuyers: Number(counts?.repeat_buyers ?? 0),
    spendLeftOut: Number(counts?.non_positive_spend ?? 0),
    fitSeconds,
    holdout,
  };
}

import type { SqlRunner } from "../../snapshot/sql-runner.js";
import { type BgnbdFit, conditionalExpectedPurchases } from "./bgnbd.js";
import { daysBetween, UNIT_DAYS, type ValueArgs } from "./value-args.js";
import type { SummarySource } from "./value-model.js";

/**
 * One row of the calibration-vs-holdout check, as the BG/NBD paper plots it (its figure of
 * conditional expectations): customers grouped by their calibration repeat count, with the
 * mean purchases they actually made in the holdout and the mean the model expected.
 */
export interface HoldoutBucket {
  /** "0" ... "6" or "7+": the calibration repeat count. */
  readonly label: string;
  readonly customers: number;
  readonly actualMean: number;
  readonly expectedMean: number;
}

/** The last bucket holds every customer with at least this many repeats. */
const OPEN_BUCKET = 7;

/**
 * Compares, per calibration frequency, the purchase days customers made in the holdout window
 * (calibration end, holdout end] with E[Y(t) | x, t_x, T] for t the holdout's length. The
 * check only means something for a converged fit; otherwise expected means are NaN.
 */
export async function holdoutTable(
  db: SqlRunner,
  args: ValueArgs,
  fit: BgnbdFit,
  source: SummarySource,
): Promise<HoldoutBucket[]> {
  const unitDays = UNIT_DAYS[args.timeUnit];
  const t = daysBetween(args.calibrationEnd, args.holdoutEnd) / unitDays;
  const rows = await db.all(source.queries.holdoutGroups, [
    args.calibrationEnd,
    args.holdoutEnd,
    ...source.params,
  ]);
  const customers = new Float64Array(OPEN_BUCKET + 1);
  const actual = new Float64Array(OPEN_BUCKET + 1);
  const expected = new Float64Array(OPEN_BUCKET + 1);
  for (const row of rows) {
    const x = Number(row.x);
    const n = Number(row.n);
    const k = Math.min(x, OPEN_BUCKET);
    const e = fit.converged
      ? conditionalExpectedPurchases(fit.params, x, Number(row.t_x), Number(row.T), t)
      : Number.NaN;
    customers[k] = (customers[k] ?? 0) + n;
    actual[k] = (actual[k] ?? 0) + Number(row.actual);
    expected[k] = (expected[k] ?? 0) + n * e;
  }
  return Array.from(customers, (n, k) => ({
    label: k === OPEN_BUCKET ? `${OPEN_BUCKET}+` : String(k),
    customers: n,
    actualMean: n > 0 ? (actual[k] ?? 0) / n : 0,
    expectedMean: n > 0 ? (expected[k] ?? 0) / n : 0,
  }));
}

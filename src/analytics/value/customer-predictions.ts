import { type BgnbdParams, expectedIfAlive, probabilityAlive } from "./bgnbd.js";
import { expectedSpend } from "./gamma-gamma.js";
import { MONTH_DAYS, PURCHASE_HORIZON_DAYS, UNIT_DAYS, type ValueArgs } from "./value-args.js";
import type { ValueModel } from "./value-model.js";

/** What a customer with a history (x, T) is expected to buy if still alive. */
export interface ExpectationsIfAlive {
  /** Expected purchases in the next 30, 90 and 365 days. */
  readonly purchases: readonly [number, number, number];
  /**
   * Σ over months m = 1..H of the purchases expected in month m, discounted by (1 + d)^m:
   * the CLV per unit of spend of a customer known to be alive.
   */
  readonly discountedPurchases: number;
}

/**
 * The expectations that depend on a history only through (x, T), computed once per distinct
 * pair: P(alive), the only part that also needs t_x, multiplies them afterwards. This is what
 * keeps a million customers to a few tens of thousands of hypergeometric series.
 */
export function expectationsIfAlive(
  params: BgnbdParams,
  x: number,
  T: number,
  args: Pick<ValueArgs, "timeUnit" | "horizonMonths" | "monthlyDiscount">,
): ExpectationsIfAlive {
  const unit = UNIT_DAYS[args.timeUnit];
  const [d30, d90, d365] = PURCHASE_HORIZON_DAYS;
  const purchases: [number, number, number] = [
    expectedIfAlive(params, x, T, d30 / unit),
    expectedIfAlive(params, x, T, d90 / unit),
    expectedIfAlive(params, x, T, d365 / unit),
  ];
  const month = MONTH_DAYS / unit;
  let previous = 0;
  let discounted = 0;
  for (let m = 1; m <= args.horizonMonths; m++) {
    const cumulative = expectedIfAlive(params, x, T, m * month);
    discounted += (cumulative - previous) / (1 + args.monthlyDiscount) ** m;
    previous = cumulative;
  }
  return { purchases, discountedPurchases: discounted };
}

/** One customer's calibration history, in the model's time unit. */
export interface CustomerHistory {
  readonly x: number;
  readonly tx: number;
  readonly T: number;
  /** Mean value of the repeat purchase days (0 when x = 0). */
  readonly zbar: number;
}

/** A customer's predictions under a converged model. */
export interface CustomerPrediction {
  readonly probabilityAlive: number;
  /** Expected purchases in the next 30, 90 and 365 days. */
  readonly expectedPurchases: readonly [number, number, number];
  /** E[M | x, zbar] from the Gamma-Gamma model. */
  readonly expectedSpend: number;
  /** Expected spend × P(alive) × discounted expected purchases if alive, over the horizon. */
  readonly clv: number;
  /** What is lost if the customer has left: the CLV they would have if alive, minus their CLV. */
  readonly valueAtRisk: number;
}

/**
 * The predictions for one history: the same arithmetic as the precomputed table's SQL, for
 * answers under arguments that were not precomputed. A mean spend below zero (returns) counts
 * as zero.
 */
export function predictCustomer(model: ValueModel, h: CustomerHistory): CustomerPrediction {
  const params = model.bgnbd.params;
  const alive = probabilityAlive(params, h.x, h.tx, h.T);
  const ifAlive = expectationsIfAlive(params, h.x, h.T, model.args);
  const spend = expectedSpend(model.gammaGamma.params, h.x, Math.max(h.zbar, 0));
  const [e30, e90, e365] = ifAlive.purchases;
  return {
    probabilityAlive: alive,
    expectedPurchases: [e30 * alive, e90 * alive, e365 * alive],
    expectedSpend: spend,
    clv: spend * alive * ifAlive.discountedPurchases,
    valueAtRisk: spend * (1 - alive) * ifAlive.discountedPurchases,
  };
}

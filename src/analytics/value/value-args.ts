/** The time unit the models are fitted in: the likelihood (not the predictions) depends on it. */
export type TimeUnit = "day" | "week";

/** Days per unit. */
export const UNIT_DAYS: Readonly<Record<TimeUnit, number>> = { day: 1, week: 7 };

/** A month for the CLV horizon and its discounting: a twelfth of the Julian year, in days. */
export const MONTH_DAYS = 365.25 / 12;

/** The horizons, in days, of the expected purchases every customer is given. */
export const PURCHASE_HORIZON_DAYS = [30, 90, 365] as const;

/**
 * Everything a value model depends on. The precomputed model uses the defaults with the
 * snapshot's reference day as calibration end; any other combination is fitted on request.
 */
export interface ValueArgs {
  /** The last day of the calibration window (YYYY-MM-DD), inclusive. */
  readonly calibrationEnd: string;
  readonly timeUnit: TimeUnit;
  /** The last day of the holdout window (YYYY-MM-DD), after calibrationEnd; "" for none. */
  readonly holdoutEnd: string;
  /** Months of future purchases a CLV counts (default 12). */
  readonly horizonMonths: number;
  /** The monthly discount rate applied to each month's expected spend (default 0.01). */
  readonly monthlyDiscount: number;
}

/** The defaults of {@link ValueArgs} other than the calibration end. */
export const VALUE_DEFAULTS = {
  timeUnit: "day",
  holdoutEnd: "",
  horizonMonths: 12,
  monthlyDiscount: 0.01,
} as const satisfies Omit<ValueArgs, "calibrationEnd">;

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

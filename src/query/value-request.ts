import type { TimeUnit, ValueArgs } from "../analytics/value/value-args.js";
import { AppError } from "../app-error.js";
import { requestDate } from "./dates.js";

/** What a request may say about the model; anything left out takes its default. */
export interface ValueRequestArgs {
  /** YYYY-MM-DD; undefined or "" means the snapshot's reference day. */
  readonly calibrationEnd?: string;
  readonly timeUnit?: TimeUnit;
  /** YYYY-MM-DD; undefined or "" means no holdout check. */
  readonly holdoutEnd?: string;
  /** 0 or undefined means the precomputed model's horizon. */
  readonly horizonMonths?: number;
  /** undefined means the precomputed model's rate. */
  readonly monthlyDiscount?: number;
}

/**
 * Resolves a request's arguments against the precomputed model's: dates must be calendar
 * days no later than the snapshot's reference day (there is no data after it), the holdout
 * end after the calibration end, the horizon 1-120 months and the rate in [0, 1). Each
 * refusal is INVALID_ARGUMENT naming the proto field.
 */
export function resolveValueArgs(request: ValueRequestArgs, defaults: ValueArgs): ValueArgs {
  const reference = defaults.calibrationEnd;
  const calibrationEnd = requestDate(request.calibrationEnd ?? "", "calibration_end", reference);
  if (calibrationEnd > reference) {
    throw invalid(
      "calibration_end",
      `${calibrationEnd} is after the snapshot's reference day ${reference}`,
    );
  }
  const holdoutEnd = requestDate(request.holdoutEnd ?? "", "holdout_end", "");
  if (holdoutEnd !== "" && holdoutEnd <= calibrationEnd) {
    throw invalid("holdout_end", `${holdoutEnd} is not after calibration_end ${calibrationEnd}`);
  }
  if (holdoutEnd > reference) {
    throw invalid(
      "holdout_end",
      `${holdoutEnd} is after the snapshot's reference day ${reference}`,
    );
  }
  const horizonMonths =
    request.horizonMonths === undefined || request.horizonMonths === 0
      ? defaults.horizonMonths
      : request.horizonMonths;
  if (!Number.isInteger(horizonMonths) || horizonMonths < 1 || horizonMonths > 120) {
    throw invalid(
      "horizon_months",
      `must be a whole number of months from 1 to 120, not ${horizonMonths}`,
    );
  }
  const monthlyDiscount = request.monthlyDiscount ?? defaults.monthlyDiscount;
  if (!(monthlyDiscount >= 0 && monthlyDiscount < 1)) {
    throw invalid("monthly_discount", `must be at least 0 and below 1, not ${monthlyDiscount}`);
  }
  return {
    calibrationEnd,
    timeUnit: request.timeUnit ?? defaults.timeUnit,
    holdoutEnd,
    horizonMonths,
    monthlyDiscount,
  };
}

/** True when `args` fit the same likelihood as the precomputed model (horizon and rate aside). */
export function sameFit(args: ValueArgs, precomputed: ValueArgs): boolean {
  return (
    args.calibrationEnd === precomputed.calibrationEnd && args.timeUnit === precomputed.timeUnit
  );
}

/** True when `args` are the precomputed model's own, so its table answers. */
export function isPrecomputed(args: ValueArgs, precomputed: ValueArgs): boolean {
  return (
    sameFit(args, precomputed) &&
    args.holdoutEnd === "" &&
    args.horizonMonths === precomputed.horizonMonths &&
    args.monthlyDiscount === precomputed.monthlyDiscount
  );
}

function invalid(field: string, why: string): AppError {
  return new AppError("invalid_argument", `${field}: ${why}`, { field });
}

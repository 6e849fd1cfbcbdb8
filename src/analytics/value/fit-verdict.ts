import type { MinimiseOptions } from "./nelder-mead.js";

/**
 * The simplex fallback's budget for a fit over `rows` rows, or undefined for no fallback:
 * enough to settle a few log-parameters from a nearby point, bounded (about 1e8 row
 * evaluations) so that a population of millions whose likelihood has no optimum, where the
 * simplex would wander along a ridge, costs seconds and ends reported as not converged.
 */
export function fallbackBudget(rows: number): MinimiseOptions | undefined {
  const evaluations = Math.min(800, Math.floor(1e8 / Math.max(rows, 1)));
  return evaluations < 100 ? undefined : { maxEvaluations: evaluations, maxRestarts: 1 };
}

/** Parameters beyond these bounds mean the likelihood has no interior optimum on the data. */
const PARAM_FLOOR = 1e-8;
const PARAM_CEILING = 1e10;

/** What is known about a finished fit, to judge it. */
export interface FitFacts {
  readonly customers: number;
  /** The optimiser met its tolerance. */
  readonly settled: boolean;
  readonly params: Readonly<Record<string, number>>;
  /** The objective curves upwards along every parameter at the optimum. */
  readonly identified: boolean;
}

/**
 * Why a fit must not be used, or "" when it may: no data, an optimiser that did not settle,
 * a parameter that ran off to 0 or infinity, or an optimum the likelihood does not identify.
 * The reason travels with the model so a caller is told, never handed unusable numbers.
 */
export function fitVerdict(facts: FitFacts): string {
  if (facts.customers <= 0) return "there are no customers to fit";
  for (const [name, value] of Object.entries(facts.params)) {
    if (!(value > PARAM_FLOOR && value < PARAM_CEILING)) {
      return `parameter ${name} ran off to ${value}: the likelihood has no interior optimum on this data`;
    }
  }
  if (!facts.settled) return "the optimiser did not settle within its budget";
  if (!facts.identified) {
    return "the likelihood is flat at the optimum (no interior maximum: e.g. nobody repeats or nobody leaves)";
  }
  return "";
}

import { fallbackBudget, fitVerdict } from "./fit-verdict.js";
import { minimise } from "./nelder-mead.js";
import { curvesUpEverywhere, minimiseWithGradient } from "./quasi-newton.js";

/** A model fitted by {@link fitLogParams}, and how the fit went. */
export interface LogParamsFit<P> {
  readonly params: P;
  /** The log-likelihood at the optimum. */
  readonly logLikelihood: number;
  /** False when the fit must not be used; {@link reason} says why. */
  readonly converged: boolean;
  /** Why the fit is not converged, or "" (see fitVerdict). */
  readonly reason: string;
  readonly customers: number;
  readonly evaluations: number;
}

/** What a model gives {@link fitLogParams} to be fitted. */
export interface LogParamsProblem<P> {
  /** The parameters at a point of log-space, in the order of the gradient's components. */
  readonly fromLogs: (theta: Float64Array) => P;
  /**
   * The log-likelihood of `params`; with `perParam`, its derivative by each parameter is
   * written there too, in the order of `fromLogs`'s fields.
   */
  readonly logLikelihood: (params: P, perParam?: Float64Array) => number;
  /** Where the search starts, in log-space. */
  readonly start: readonly number[];
  /** Rows the likelihood sums over, which bound the simplex fallback's budget. */
  readonly rows: number;
  /** Customers fitted, reported and judged by the verdict; they also scale the objective. */
  readonly customers: number;
  /** A model's own reason not to use a fit that passed the verdict, or "". */
  readonly check?: (params: P) => string;
}

/**
 * Fits a model by maximum likelihood on its parameters' logs, as BG/NBD and Gamma-Gamma both
 * are: BFGS with the analytic gradient first, then a bounded Nelder-Mead (when affordable,
 * see fallbackBudget) if that does not reach a zero gradient, then the verdict (settled, no
 * parameter at a bound, an optimum the likelihood identifies) and the model's own check.
 * The objective is the negative log-likelihood per customer, so tolerances do not depend on
 * the population's size.
 */
export function fitLogParams<P extends object>(problem: LogParamsProblem<P>): LogParamsFit<P> {
  const { fromLogs, logLikelihood, customers } = problem;
  const scale = Math.max(customers, 1);
  const k = problem.start.length;
  const perParam = new Float64Array(k);
  const withGradient = (theta: Float64Array, gradient: Float64Array) => {
    const params = fromLogs(theta);
    const ll = logLikelihood(params, perParam);
    const values = Object.values(params) as number[];
    for (let i = 0; i < k; i++) gradient[i] = (-(perParam[i] ?? 0) * (values[i] ?? 0)) / scale;
    return -ll / scale;
  };
  const objective = (theta: Float64Array) => -logLikelihood(fromLogs(theta)) / scale;
  let found = minimiseWithGradient(withGradient, problem.start);
  let evaluations = found.evaluations;
  let converged = found.converged;
  const budget = fallbackBudget(problem.rows);
  if (!converged && budget !== undefined) {
    const simplex = minimise(objective, Array.from(found.x), budget);
    evaluations += simplex.evaluations;
    converged = simplex.converged;
    found = { ...simplex, converged };
  }
  const params = fromLogs(found.x);
  let reason = fitVerdict({
    customers,
    settled: converged,
    params: { ...params } as Readonly<Record<string, number>>,
    identified: converged && curvesUpEverywhere(objective, found.x),
  });
  if (reason === "" && problem.check !== undefined) reason = problem.check(params);
  return {
    params,
    logLikelihood: -found.value * scale,
    converged: reason === "",
    reason,
    customers,
    evaluations,
  };
}

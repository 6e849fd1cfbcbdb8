import { bgnbdLogLikelihoodPrepared, prepareHistories } from "./bgnbd-likelihood.js";
import { fitLogParams } from "./fit-log-params.js";
import type { PurchaseHistories } from "./purchase-histories.js";
import { hyp2f1 } from "./special-functions.js";

/**
 * The BG/NBD model of repeat purchasing (Fader, Hardie and Lee 2005, "Counting Your Customers
 * the Easy Way"): while alive a customer buys as a Poisson process with rate λ ~ Gamma(r, α);
 * after each purchase they leave for good with probability p ~ Beta(a, b). It tells a loyal
 * customer who paused from one who left, which RFM scores cannot.
 */
export interface BgnbdParams {
  readonly r: number;
  readonly alpha: number;
  readonly a: number;
  readonly b: number;
}

/** A fitted BG/NBD model and how the fit went. */
export interface BgnbdFit {
  readonly params: BgnbdParams;
  /** The log-likelihood at the optimum (in the time unit of the data). */
  readonly logLikelihood: number;
  /** False when the optimiser did not settle or a parameter ran off to 0 or infinity. */
  readonly converged: boolean;
  /** Why the fit is not converged, or "" (see fitVerdict). */
  readonly reason: string;
  /** Customers fitted (the weights' total). */
  readonly customers: number;
  readonly evaluations: number;
}

/**
 * The log-likelihood of `params` on `data`, summed over customers. Each customer's likelihood
 * is B(a, b+x)/B(a, b) Γ(r+x) α^r / (Γ(r) (α+T)^(r+x)) plus, for x > 0, the term for having
 * left right after the last purchase; the two are added in log space (log-sum-exp) so that
 * large x and long histories neither overflow nor underflow.
 */
export function bgnbdLogLikelihood(params: BgnbdParams, data: PurchaseHistories): number {
  return bgnbdLogLikelihoodPrepared(params, prepareHistories(data));
}

/**
 * Fits r, α, a and b by maximum likelihood on the logs of the parameters (so they stay
 * positive): BFGS with the analytic gradient from a neutral start scaled to the data's time
 * unit, then, when that does not reach a zero gradient (and the population is small enough to
 * afford it, see fallbackBudget), a bounded Nelder-Mead with a restart from where
 * it stopped. Reported as not converged when neither settles or a parameter ends at a bound
 * (no interior optimum, e.g. nobody ever repeats).
 */
export function fitBgnbd(data: PurchaseHistories): BgnbdFit {
  const prepared = prepareHistories(data);
  const customers = prepared.customers;
  let meanT = 0;
  for (let i = 0; i < data.T.length; i++) meanT += (data.weight[i] ?? 0) * (data.T[i] ?? 0);
  meanT = customers > 0 ? meanT / customers : 1;
  return fitLogParams({
    fromLogs,
    logLikelihood: (params, perParam) => bgnbdLogLikelihoodPrepared(params, prepared, perParam),
    start: [0, Math.log(Math.max(meanT, 1e-3)), 0, 0],
    rows: data.x.length,
    customers,
  });
}

function fromLogs(theta: Float64Array): BgnbdParams {
  return {
    r: Math.exp(theta[0] ?? 0),
    alpha: Math.exp(theta[1] ?? 0),
    a: Math.exp(theta[2] ?? 0),
    b: Math.exp(theta[3] ?? 0),
  };
}

/**
 * P(alive | x, t_x, T): the probability that a customer with this history has not left. A
 * customer with no repeat purchase is alive by the model's assumptions (one can only leave
 * right after a purchase), so x = 0 gives 1.
 */
export function probabilityAlive(
  { r, alpha, a, b }: BgnbdParams,
  x: number,
  tx: number,
  T: number,
): number {
  if (x <= 0) return 1;
  const odds = Math.exp(
    Math.log(a) - Math.log(b + x - 1) + (r + x) * Math.log((alpha + T) / (alpha + tx)),
  );
  return 1 / (1 + odds);
}

/**
 * E[Y(t) | x, T, alive]: the purchases a customer with x repeats over T is expected to make in
 * the next t if still alive; the conditional expectation is this times P(alive). The paper's
 * (α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x−1; z) is evaluated through Euler's transformation,
 * (1−z)^(a−1) 2F1(a+b−1−r, a−1; a+b+x−1; z), whose parameters do not grow with x, so the
 * series settles quickly even for very frequent buyers. NaN if the series does not settle.
 */
export function expectedIfAlive(
  { r, alpha, a, b }: BgnbdParams,
  x: number,
  T: number,
  t: number,
): number {
  if (t <= 0) return 0;
  const z = t / (alpha + T + t);
  const c = a + b + x - 1;
  const aa = Math.abs(a - 1) < 1e-9 ? 1 + 1e-9 : a;
  const series = hyp2f1(aa + b - 1 - r, aa - 1, c, z);
  return (c / (aa - 1)) * (1 - Math.exp((aa - 1) * Math.log1p(-z)) * series);
}

/** E[Y(t) | x, t_x, T]: expected purchases in the next t given the history (the paper's (10)). */
export function conditionalExpectedPurchases(
  params: BgnbdParams,
  x: number,
  tx: number,
  T: number,
  t: number,
): number {
  return expectedIfAlive(params, x, T, t) * probabilityAlive(params, x, tx, T);
}

/** E[X(t)]: expected repeat purchases of a customer in their first t (the paper's (9)). */
export function expectedPurchasesOfNewCustomer(params: BgnbdParams, t: number): number {
  return expectedIfAlive(params, 0, 0, t);
}

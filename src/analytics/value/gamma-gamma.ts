import { minimise } from "./nelder-mead.js";
import { distinctValues, type SpendHistories } from "./purchase-histories.js";
import { logGamma } from "./special-functions.js";

/**
 * The Gamma-Gamma model of spend per purchase (Fader, Hardie and Lee 2005, "RFM and CLV";
 * Hardie 2013): each purchase's value is Gamma(p, ν) with ν ~ Gamma(q, γ) per customer, so a
 * customer's mean spend is shrunk from their own average towards the population's, the more
 * so the fewer purchases it rests on.
 */
export interface GammaGammaParams {
  readonly p: number;
  readonly q: number;
  readonly gamma: number;
}

/** A fitted Gamma-Gamma model and how the fit went. */
export interface GammaGammaFit {
  readonly params: GammaGammaParams;
  readonly logLikelihood: number;
  /** False when the optimiser did not settle, a parameter ran off, or q <= 1 (no mean). */
  readonly converged: boolean;
  /** Repeat buyers fitted. */
  readonly customers: number;
  readonly evaluations: number;
}

const PARAM_FLOOR = 1e-8;
const PARAM_CEILING = 1e10;

/** Sums over the customers that do not depend on the parameters, computed once per fit. */
interface SpendTerms {
  readonly counts: ReturnType<typeof distinctValues>;
  /** Customers per distinct x. */
  readonly perX: Float64Array;
  /** x · zbar per customer: the repeat purchases' total. */
  readonly total: Float64Array;
  readonly sumXLogZ: number;
  readonly sumLogZ: number;
  readonly sumXLogX: number;
  readonly n: number;
}

function spendTerms(data: SpendHistories): SpendTerms {
  const counts = distinctValues(data.x);
  const perX = new Float64Array(counts.values.length);
  const total = new Float64Array(data.x.length);
  let sumXLogZ = 0;
  let sumLogZ = 0;
  let sumXLogX = 0;
  for (let i = 0; i < data.x.length; i++) {
    const x = data.x[i] ?? 0;
    const z = data.zbar[i] ?? 0;
    const j = counts.index[i] ?? 0;
    perX[j] = (perX[j] ?? 0) + 1;
    total[i] = x * z;
    sumXLogZ += x * Math.log(z);
    sumLogZ += Math.log(z);
    sumXLogX += x * Math.log(x);
  }
  return { counts, perX, total, sumXLogZ, sumLogZ, sumXLogX, n: data.x.length };
}

/**
 * The log-likelihood of `params` on repeat buyers' (x, zbar): per customer
 * ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln zbar + px ln x − (px+q) ln(x zbar + γ).
 * Every x must be > 0 and every zbar > 0.
 */
export function gammaGammaLogLikelihood(params: GammaGammaParams, data: SpendHistories): number {
  return logLikelihood(params, spendTerms(data));
}

function logLikelihood({ p, q, gamma }: GammaGammaParams, terms: SpendTerms): number {
  const { counts, perX, total } = terms;
  let sum =
    terms.n * (q * Math.log(gamma) - logGamma(q)) +
    p * terms.sumXLogZ -
    terms.sumLogZ +
    p * terms.sumXLogX;
  for (let j = 0; j < counts.values.length; j++) {
    const px = p * (counts.values[j] ?? 0);
    sum += (perX[j] ?? 0) * (logGamma(px + q) - logGamma(px));
  }
  const xs = counts.values;
  let weighted = 0;
  for (let i = 0; i < total.length; i++) {
    const x = xs[counts.index[i] ?? 0] ?? 0;
    weighted += (p * x + q) * Math.log((total[i] ?? 0) + gamma);
  }
  return sum - weighted;
}

/**
 * Fits p, q and γ by maximum likelihood on the repeat buyers (Nelder-Mead with restarts on
 * the parameters' logs, started at p = q = 1 and γ at the mean spend). Reported as not
 * converged when the optimiser did not settle, a parameter ends at a bound, or q <= 1, where
 * the model's expected spend does not exist.
 */
export function fitGammaGamma(data: SpendHistories): GammaGammaFit {
  const terms = spendTerms(data);
  let meanSpend = 0;
  for (let i = 0; i < data.zbar.length; i++) meanSpend += data.zbar[i] ?? 0;
  meanSpend = terms.n > 0 ? meanSpend / terms.n : 1;
  const objective = (theta: Float64Array) =>
    -logLikelihood(fromLogs(theta), terms) / Math.max(terms.n, 1);
  const found = minimise(objective, [0, 0, Math.log(Math.max(meanSpend, 1e-6))]);
  const params = fromLogs(found.x);
  const inside = [params.p, params.q, params.gamma].every(
    (v) => v > PARAM_FLOOR && v < PARAM_CEILING,
  );
  return {
    params,
    logLikelihood: -found.value * Math.max(terms.n, 1),
    converged: terms.n > 0 && found.converged && inside && params.q > 1,
    customers: terms.n,
    evaluations: found.evaluations,
  };
}

function fromLogs(theta: Float64Array): GammaGammaParams {
  return {
    p: Math.exp(theta[0] ?? 0),
    q: Math.exp(theta[1] ?? 0),
    gamma: Math.exp(theta[2] ?? 0),
  };
}

/**
 * E[M | x, zbar]: a customer's expected spend per purchase, (γ + x·zbar)·p / (p·x + q − 1), a
 * weighted mean of the population mean pγ/(q−1) and the customer's own zbar. For x = 0 it is
 * the population mean. NaN when q <= 1 (the mean does not exist).
 */
export function expectedSpend({ p, q, gamma }: GammaGammaParams, x: number, zbar: number): number {
  if (!(q > 1)) return Number.NaN;
  return ((gamma + x * zbar) * p) / (p * x + q - 1);
}

import { fitLogParams } from "./fit-log-params.js";
import { distinctValues, type SpendHistories } from "./purchase-histories.js";
import { digamma, logGamma } from "./special-functions.js";

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
  /** Why the fit is not converged, or "" (see fitVerdict). */
  readonly reason: string;
  /** Repeat buyers fitted. */
  readonly customers: number;
  readonly evaluations: number;
}

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

function logLikelihood(
  { p, q, gamma }: GammaGammaParams,
  terms: SpendTerms,
  gradient?: Float64Array,
): number {
  const { counts, perX, total } = terms;
  const lnGamma = Math.log(gamma);
  let sum = terms.n * (q * lnGamma - logGamma(q)) + p * terms.sumXLogZ - terms.sumLogZ;
  sum += p * terms.sumXLogX;
  let gp = terms.sumXLogZ + terms.sumXLogX;
  let gq = terms.n * (lnGamma - (gradient === undefined ? 0 : digamma(q)));
  const gg = (terms.n * q) / gamma;
  for (let j = 0; j < counts.values.length; j++) {
    const x = counts.values[j] ?? 0;
    const px = p * x;
    const n = perX[j] ?? 0;
    sum += n * (logGamma(px + q) - logGamma(px));
    if (gradient !== undefined) {
      const psi = digamma(px + q);
      gp += n * x * (psi - digamma(px));
      gq += n * psi;
    }
  }
  const xs = counts.values;
  let sumLog = 0;
  let sumXLog = 0;
  let sumInv = 0;
  let sumXInv = 0;
  for (let i = 0; i < total.length; i++) {
    const x = xs[counts.index[i] ?? 0] ?? 0;
    const v = (total[i] ?? 0) + gamma;
    const l = Math.log(v);
    sumLog += l;
    sumXLog += x * l;
    if (gradient !== undefined) {
      const inv = 1 / v;
      sumInv += inv;
      sumXInv += x * inv;
    }
  }
  if (gradient !== undefined) {
    gradient[0] = gp - sumXLog;
    gradient[1] = gq - sumLog;
    gradient[2] = gg - p * sumXInv - q * sumInv;
  }
  return sum - p * sumXLog - q * sumLog;
}

/**
 * Fits p, q and γ by maximum likelihood on the repeat buyers, on the parameters' logs: BFGS
 * with the analytic gradient from p = q = 1 and γ at the mean spend, then a bounded
 * Nelder-Mead (when affordable, see fallbackBudget) if that does not reach a zero gradient.
 * Reported as not converged when neither settles, a parameter ends at a bound, or q <= 1,
 * where the model's expected spend does not exist.
 */
export function fitGammaGamma(data: SpendHistories): GammaGammaFit {
  const terms = spendTerms(data);
  let meanSpend = 0;
  for (let i = 0; i < data.zbar.length; i++) meanSpend += data.zbar[i] ?? 0;
  meanSpend = terms.n > 0 ? meanSpend / terms.n : 1;
  return fitLogParams({
    fromLogs,
    logLikelihood: (params, perParam) => logLikelihood(params, terms, perParam),
    start: [0, 0, Math.log(Math.max(meanSpend, 1e-6))],
    rows: terms.n,
    customers: terms.n,
    check: (params) => (params.q > 1 ? "" : "q <= 1: the expected spend does not exist"),
  });
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

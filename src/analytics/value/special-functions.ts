/**
 * The special functions the customer-base models need, written here so that their accuracy is
 * tested in this repository (test/value-special-functions.test.ts) rather than taken on trust:
 * the log-gamma function (every likelihood term) and the Gauss hypergeometric function 2F1
 * (the BG/NBD expected purchases).
 */

/** Lanczos coefficients for g = 7, n = 9: about 15 significant digits over the positive reals. */
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/**
 * ln Γ(x) for x > 0 (NaN otherwise), by the Lanczos approximation, with the reflection formula
 * below 1/2. The likelihoods sum thousands of these, so it must be cheap and accurate to about
 * 1e-14 absolute near its zeros (x = 1, 2) and relative elsewhere.
 */
export function logGamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  if (x < 0.5) {
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  const z = x - 1;
  let sum = LANCZOS[0] ?? 0;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] ?? 0) / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln B(a, b), the log of the beta function, for a, b > 0. */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** The most series terms {@link hyp2f1} sums before it gives up (and returns NaN). */
export const HYP2F1_MAX_TERMS = 1_000_000;

/**
 * The Gauss hypergeometric function 2F1(a, b; c; z) for 0 <= z < 1 and c not 0, -1, -2, ..., by its power
 * series summed until a term no longer changes the sum (relative 1e-15). Returns NaN outside
 * that domain or when the series has not settled after {@link HYP2F1_MAX_TERMS} terms, so a
 * caller can never mistake a truncated sum for the value. Callers keep z away from 1 or the
 * parameters small (see the Euler transformation in the BG/NBD expectations) so that the series
 * settles in a few hundred terms.
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  const poleAtC = c <= 0 && Number.isInteger(c);
  if (!(z >= 0 && z < 1) || poleAtC || !Number.isFinite(a + b + c)) {
    return Number.NaN;
  }
  let term = 1;
  let sum = 1;
  for (let k = 0; k < HYP2F1_MAX_TERMS; k++) {
    term *= (((a + k) * (b + k)) / ((c + k) * (k + 1))) * z;
    sum += term;
    if (term === 0 || Math.abs(term) <= 1e-16 * Math.abs(sum)) {
      // A term can be tiny while later ones grow again only when (a+k)(b+k)/(c+k)/(k+1) * z
      // still exceeds 1; past k > |a| + |b| + |c| the ratio falls below z < 1, so stopping is safe there.
      if (k + 1 > Math.abs(a) + Math.abs(b) + Math.abs(c) || term === 0) return sum;
    }
  }
  return Number.NaN;
}

/**
 * ψ(x), the digamma function (the derivative of ln Γ), for x > 0: the recurrence
 * ψ(x) = ψ(x+1) − 1/x up to x >= 6, then the asymptotic series. The likelihood gradients
 * need it; accurate to about 1e-14.
 */
export function digamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  let shift = 0;
  let v = x;
  while (v < 6) {
    shift -= 1 / v;
    v += 1;
  }
  const inv = 1 / v;
  const inv2 = inv * inv;
  const series =
    inv2 *
    (1 / 12 -
      inv2 *
        (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132 - inv2 * (691 / 32760))))));
  return shift + Math.log(v) - 0.5 * inv - series;
}

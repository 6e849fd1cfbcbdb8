/**
 * BFGS on log-parameters with an analytic gradient: the fast path of the model fits. A
 * million customers cost one pass over typed arrays per evaluation, so the fit must need tens
 * of evaluations, not the thousands a simplex needs on a flat ridge (data with almost no
 * drop-out, where b runs off towards infinity).
 */

/** Writes the gradient of the objective at `x` into `gradient` and returns the objective. */
export type ObjectiveWithGradient = (x: Float64Array, gradient: Float64Array) => number;

/** How the quasi-Newton search ended. */
export interface QuasiNewtonResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly evaluations: number;
  /** True when the gradient's largest component fell below the tolerance. */
  readonly converged: boolean;
}

/** Tolerance and budget. */
export interface QuasiNewtonOptions {
  /** Stop when every gradient component is at most this (default 1e-9). */
  readonly gradientTolerance?: number;
  /** Iterations allowed (default 200). */
  readonly maxIterations?: number;
  /**
   * Evaluations allowed over all iterations and line searches (default 400): a population of
   * millions costs tens of milliseconds per evaluation, so the budget bounds the fit's time.
   */
  readonly maxEvaluations?: number;
}

/**
 * Minimises `f` from `start` by BFGS with a backtracking (Armijo) line search, updating the
 * inverse Hessian only when the step shows positive curvature. Non-finite values reject a
 * step, so the search never walks into a region where the likelihood overflows.
 */
export function minimiseWithGradient(
  f: ObjectiveWithGradient,
  start: readonly number[],
  options: QuasiNewtonOptions = {},
): QuasiNewtonResult {
  const n = start.length;
  const tolerance = options.gradientTolerance ?? 1e-9;
  const maxIterations = options.maxIterations ?? 200;
  const maxEvaluations = options.maxEvaluations ?? 400;
  let x = Float64Array.from(start);
  let g = new Float64Array(n);
  let value = f(x, g);
  let evaluations = 1;
  const h = identity(n);
  const direction = new Float64Array(n);
  let curvatureKnown = false;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (!Number.isFinite(value) || evaluations >= maxEvaluations) break;
    if (maxAbs(g) <= tolerance) return { x, value, evaluations, converged: true };
    for (let i = 0; i < n; i++) {
      let d = 0;
      for (let j = 0; j < n; j++) d -= (h[i * n + j] ?? 0) * (g[j] ?? 0);
      direction[i] = d;
    }
    let slope = dot(direction, g);
    if (!(slope < 0)) {
      resetToIdentity(h, n);
      curvatureKnown = false;
      for (let i = 0; i < n; i++) direction[i] = -(g[i] ?? 0);
      slope = dot(direction, g);
    }
    let step = 1;
    const limit = maxAbs(direction);
    if (limit > 2) step = 2 / limit;
    let accepted = false;
    const trial = new Float64Array(n);
    const trialGradient = new Float64Array(n);
    let trialValue = value;
    const resolution = ROUNDING * Math.max(1, Math.abs(value));
    const belowRounding = () => curvatureKnown && -step * slope < resolution;
    for (let k = 0; k < 60 && evaluations < maxEvaluations; k++) {
      if (belowRounding()) break;
      for (let i = 0; i < n; i++) trial[i] = (x[i] ?? 0) + step * (direction[i] ?? 0);
      trialValue = f(trial, trialGradient);
      evaluations++;
      if (Number.isFinite(trialValue) && trialValue <= value + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) {
      const settled = belowRounding() && maxAbs(g) <= tolerance * 1e3;
      if (settled) return { x, value, evaluations, converged: true };
      break;
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = (trial[i] ?? 0) - (x[i] ?? 0);
      y[i] = (trialGradient[i] ?? 0) - (g[i] ?? 0);
    }
    if (iteration === 0) scaleToCurvature(h, s, y, n);
    updateInverseHessian(h, s, y, n);
    curvatureKnown = true;
    const settled = Math.abs(value - trialValue) <= 1e-16 * Math.max(1, Math.abs(value));
    x = trial;
    g = trialGradient;
    value = trialValue;
    if (settled && maxAbs(g) <= tolerance * 1e3) {
      return { x, value, evaluations, converged: true };
    }
  }
  return { x, value, evaluations, converged: Number.isFinite(value) && maxAbs(g) <= tolerance };
}

function updateInverseHessian(h: Float64Array, s: Float64Array, y: Float64Array, n: number): void {
  const sy = dot(s, y);
  if (!(sy > 1e-18)) return;
  const rho = 1 / sy;
  const hy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let j = 0; j < n; j++) v += (h[i * n + j] ?? 0) * (y[j] ?? 0);
    hy[i] = v;
  }
  const yhy = dot(y, hy);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const si = s[i] ?? 0;
      const sj = s[j] ?? 0;
      const value =
        (h[i * n + j] ?? 0) -
        rho * ((hy[i] ?? 0) * sj + si * (hy[j] ?? 0)) +
        (rho * rho * yhy + rho) * si * sj;
      h[i * n + j] = value;
    }
  }
}

/** Scales the starting inverse Hessian to the curvature seen in the first step (s·y / y·y). */
function scaleToCurvature(h: Float64Array, s: Float64Array, y: Float64Array, n: number): void {
  const sy = dot(s, y);
  const yy = dot(y, y);
  if (!(sy > 0 && yy > 0)) return;
  for (let i = 0; i < n; i++) h[i * n + i] = sy / yy;
}

function identity(n: number): Float64Array {
  const h = new Float64Array(n * n);
  resetToIdentity(h, n);
  return h;
}

function resetToIdentity(h: Float64Array, n: number): void {
  h.fill(0);
  for (let i = 0; i < n; i++) h[i * n + i] = 1;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] ?? 0));
  return m;
}

/**
 * The relative decrease of the objective below which a step cannot be told from rounding: a
 * sum over a million rows carries errors of this order, so a line search that could only gain
 * less has nothing left to find, and halving the step further would only spend evaluations
 * (each a pass over every row). Where the gradient is also small, the search has settled. The
 * predicted decrease (step × slope) only measures what is left once the inverse Hessian has
 * learnt the curvature from a step: from the identity, a flat objective far from its optimum
 * predicts next to nothing too.
 */
const ROUNDING = 1e-15;

/** The smallest curvature along a log-parameter that still identifies an optimum. */
const MIN_CURVATURE = 1e-7;

/**
 * True when `f` curves upwards along every coordinate at `x` (second differences in steps of
 * 1e-3): a real optimum. A likelihood that keeps improving towards a boundary (r → 0 when
 * nobody repeats, a → 0 when nobody leaves) has a vanishing gradient there too, but no
 * curvature, and its "optimum" is an artefact of where the search stopped.
 */
export function curvesUpEverywhere(f: (x: Float64Array) => number, x: Float64Array): boolean {
  const h = 1e-3;
  const centre = f(x);
  for (let i = 0; i < x.length; i++) {
    const up = Float64Array.from(x);
    const down = Float64Array.from(x);
    up[i] = (up[i] ?? 0) + h;
    down[i] = (down[i] ?? 0) - h;
    const curvature = (f(up) - 2 * centre + f(down)) / (h * h);
    if (!(curvature > MIN_CURVATURE)) return false;
  }
  return true;
}

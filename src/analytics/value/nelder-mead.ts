/**
 * A derivative-free minimiser for the model fits. The likelihoods are smooth but their
 * gradients need digamma and the hypergeometric derivatives; Nelder-Mead on log-parameters
 * needs only the function, keeps every parameter positive, and with restarts from its own
 * optimum is robust enough to reproduce the published fits to all their digits.
 */

/** How the search ended. */
export interface MinimumFound {
  /** The best point found (in the caller's coordinates, here log-parameters). */
  readonly x: Float64Array;
  /** The function at {@link x}. */
  readonly value: number;
  /** Function evaluations used over all runs. */
  readonly evaluations: number;
  /** Runs made: the first plus restarts from the optimum. */
  readonly runs: number;
  /**
   * True when the last run met both tolerances before its evaluation budget ran out, and a
   * restart from its optimum found nothing better: the optimum is a point the simplex keeps
   * returning to, not a place it stalled.
   */
  readonly converged: boolean;
}

/** Tolerances and budgets; the defaults suit a handful of log-parameters. */
export interface MinimiseOptions {
  /** The simplex's initial edge, in the caller's coordinates (default 0.5: a factor of 1.65). */
  readonly step?: number;
  /** Stop when the values across the simplex differ by at most this relative amount. */
  readonly valueTolerance?: number;
  /** ... and its vertices lie within this distance of the best one. */
  readonly pointTolerance?: number;
  /** Evaluations allowed per run (default 4000). */
  readonly maxEvaluations?: number;
  /** Restarts from the optimum allowed (default 6). */
  readonly maxRestarts?: number;
}

interface Run {
  readonly x: Float64Array;
  readonly value: number;
  readonly evaluations: number;
  readonly settled: boolean;
}

/**
 * Minimises `f` from `start` by Nelder-Mead (reflection 1, expansion 2, contraction 1/2,
 * shrink 1/2), restarting from the optimum with a fresh simplex until a restart no longer
 * improves it. Non-finite values count as +Infinity, so a point where the likelihood
 * overflows is simply worse.
 */
export function minimise(
  f: (x: Float64Array) => number,
  start: readonly number[],
  options: MinimiseOptions = {},
): MinimumFound {
  const safe = (x: Float64Array): number => {
    const v = f(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  const maxRestarts = options.maxRestarts ?? 6;
  let best = run(safe, Float64Array.from(start), options);
  let evaluations = best.evaluations;
  let runs = 1;
  let converged = false;
  while (runs <= maxRestarts) {
    const again = run(safe, best.x, options);
    evaluations += again.evaluations;
    runs++;
    const tolerance = (options.valueTolerance ?? 1e-12) * (1 + Math.abs(best.value));
    const improved = again.value < best.value - tolerance;
    if (again.value <= best.value) best = again;
    if (!improved && again.settled) {
      converged = Number.isFinite(best.value);
      break;
    }
  }
  return { x: best.x, value: best.value, evaluations, runs, converged };
}

function run(f: (x: Float64Array) => number, start: Float64Array, options: MinimiseOptions): Run {
  const n = start.length;
  const step = options.step ?? 0.5;
  const valueTolerance = options.valueTolerance ?? 1e-12;
  const pointTolerance = options.pointTolerance ?? 1e-9;
  const maxEvaluations = options.maxEvaluations ?? 4000;
  const points: Float64Array[] = [Float64Array.from(start)];
  for (let i = 0; i < n; i++) {
    const p = Float64Array.from(start);
    p[i] = (p[i] ?? 0) + step;
    points.push(p);
  }
  const values = points.map(f);
  let evaluations = points.length;
  const order = points.map((_, i) => i);
  const centroid = new Float64Array(n);
  const trial = (towards: number, worst: Float64Array): Float64Array => {
    const p = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const c = centroid[j] ?? 0;
      p[j] = c + towards * (c - (worst[j] ?? 0));
    }
    return p;
  };
  while (evaluations < maxEvaluations) {
    order.sort((i, j) => compare(values[i] ?? 0, values[j] ?? 0));
    const bestIndex = order[0] ?? 0;
    const worstIndex = order[n] ?? 0;
    const bestValue = values[bestIndex] ?? 0;
    if (settled(points, values, bestIndex, valueTolerance, pointTolerance)) {
      return { x: points[bestIndex] ?? start, value: bestValue, evaluations, settled: true };
    }
    centroid.fill(0);
    for (let k = 0; k < n; k++) {
      const p = points[order[k] ?? 0] ?? start;
      for (let j = 0; j < n; j++) centroid[j] = (centroid[j] ?? 0) + (p[j] ?? 0) / n;
    }
    const worst = points[worstIndex] ?? start;
    const worstValue = values[worstIndex] ?? 0;
    const secondWorst = values[order[n - 1] ?? 0] ?? 0;
    const reflected = trial(1, worst);
    const reflectedValue = f(reflected);
    evaluations++;
    if (reflectedValue < bestValue) {
      const expanded = trial(2, worst);
      const expandedValue = f(expanded);
      evaluations++;
      const better = expandedValue < reflectedValue;
      points[worstIndex] = better ? expanded : reflected;
      values[worstIndex] = better ? expandedValue : reflectedValue;
      continue;
    }
    if (reflectedValue < secondWorst) {
      points[worstIndex] = reflected;
      values[worstIndex] = reflectedValue;
      continue;
    }
    const outside = reflectedValue < worstValue;
    const contracted = trial(outside ? 0.5 : -0.5, worst);
    const contractedValue = f(contracted);
    evaluations++;
    if (contractedValue < (outside ? reflectedValue : worstValue)) {
      points[worstIndex] = contracted;
      values[worstIndex] = contractedValue;
      continue;
    }
    const anchor = points[bestIndex] ?? start;
    for (let k = 1; k <= n; k++) {
      const index = order[k] ?? 0;
      const p = points[index] ?? start;
      for (let j = 0; j < n; j++) p[j] = (anchor[j] ?? 0) + 0.5 * ((p[j] ?? 0) - (anchor[j] ?? 0));
      values[index] = f(p);
      evaluations++;
    }
  }
  order.sort((i, j) => compare(values[i] ?? 0, values[j] ?? 0));
  const bestIndex = order[0] ?? 0;
  return {
    x: points[bestIndex] ?? start,
    value: values[bestIndex] ?? Number.POSITIVE_INFINITY,
    evaluations,
    settled: false,
  };
}

function settled(
  points: readonly Float64Array[],
  values: readonly number[],
  bestIndex: number,
  valueTolerance: number,
  pointTolerance: number,
): boolean {
  const bestValue = values[bestIndex] ?? 0;
  const best = points[bestIndex];
  if (best === undefined || !Number.isFinite(bestValue)) return false;
  for (let i = 0; i < points.length; i++) {
    if (Math.abs((values[i] ?? 0) - bestValue) > valueTolerance * (1 + Math.abs(bestValue))) {
      return false;
    }
    const p = points[i] ?? best;
    for (let j = 0; j < best.length; j++) {
      if (Math.abs((p[j] ?? 0) - (best[j] ?? 0)) > pointTolerance) return false;
    }
  }
  return true;
}

/** Orders values ascending, with +Infinity (a failed evaluation) equal to itself. */
function compare(a: number, b: number): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

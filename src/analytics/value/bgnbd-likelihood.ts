import type { BgnbdParams } from "./bgnbd.js";
import {
  type DistinctValues,
  distinctValues,
  type PurchaseHistories,
} from "./purchase-histories.js";
import { digamma, logGamma } from "./special-functions.js";

/**
 * Histories prepared once per fit: repeat counts and times replaced by indices into their
 * distinct values, so that an evaluation computes its log-gammas, digammas, ln(α + t) and
 * 1/(α + t) once per distinct value (hundreds to thousands) and then makes one pass over the
 * rows with table look-ups, one exp and one log1p per repeat buyer.
 */
export interface PreparedHistories {
  /** The repeat buyers' rows (x > 0), one pass each per evaluation. */
  readonly data: PurchaseHistories;
  /**
   * The customers with x = 0 per distinct T (indexed like `times`): their likelihood depends
   * on T alone, so they cost one term per distinct T rather than one per customer.
   */
  readonly zeroWeightPerTime: Float64Array;
  /** The index of x = 0 in `counts.values`, or -1. */
  readonly zeroIndex: number;
  readonly counts: DistinctValues;
  /** Customers per distinct x. */
  readonly weightPerX: Float64Array;
  readonly times: Float64Array;
  readonly txIndex: Int32Array;
  readonly TIndex: Int32Array;
  readonly customers: number;
}

/** Prepares `all` for repeated likelihood evaluations. */
export function prepareHistories(all: PurchaseHistories): PreparedHistories {
  let repeats = 0;
  for (let i = 0; i < all.x.length; i++) if ((all.x[i] ?? 0) > 0) repeats++;
  const repeat = new Int32Array(repeats);
  for (let i = 0, k = 0; i < all.x.length; i++) if ((all.x[i] ?? 0) > 0) repeat[k++] = i;
  const pick = (column: Float64Array) => {
    const out = new Float64Array(repeats);
    for (let k = 0; k < repeats; k++) out[k] = column[repeat[k] ?? 0] ?? 0;
    return out;
  };
  const data: PurchaseHistories = {
    x: pick(all.x),
    tx: pick(all.tx),
    T: pick(all.T),
    weight: pick(all.weight),
  };
  const allCounts = distinctValues(all.x);
  const counts = {
    values: allCounts.values,
    index: Int32Array.from(repeat, (i) => allCounts.index[i] ?? 0),
  };
  const weightPerX = new Float64Array(counts.values.length);
  let customers = 0;
  for (let i = 0; i < all.x.length; i++) {
    const w = all.weight[i] ?? 0;
    const j = allCounts.index[i] ?? 0;
    weightPerX[j] = (weightPerX[j] ?? 0) + w;
    customers += w;
  }
  const both = new Float64Array(data.tx.length + all.T.length);
  both.set(data.tx);
  both.set(all.T, data.tx.length);
  const times = distinctValues(both);
  const allTIndex = times.index.subarray(data.tx.length);
  const zeroWeightPerTime = new Float64Array(times.values.length);
  for (let i = 0; i < all.x.length; i++) {
    if ((all.x[i] ?? 0) > 0) continue;
    const t = allTIndex[i] ?? 0;
    zeroWeightPerTime[t] = (zeroWeightPerTime[t] ?? 0) + (all.weight[i] ?? 0);
  }
  return {
    data,
    zeroWeightPerTime,
    zeroIndex: Array.prototype.indexOf.call(counts.values, 0) as number,
    counts,
    weightPerX,
    times: times.values,
    txIndex: times.index.subarray(0, data.tx.length),
    TIndex: repeat.map((i) => allTIndex[i] ?? 0),
    customers,
  };
}

/**
 * The log-likelihood of `params` and, when `gradient` is given, its derivatives with respect
 * to (r, α, a, b). Per customer the likelihood is the sum of a "still alive" and a "left after
 * the last purchase" term, combined in log space; w below is the second term's share.
 */
export function bgnbdLogLikelihoodPrepared(
  { r, alpha, a, b }: BgnbdParams,
  prepared: PreparedHistories,
  gradient?: Float64Array,
): number {
  const { counts, weightPerX, times, txIndex, TIndex, data } = prepared;
  const k = counts.values.length;
  const base = new Float64Array(k);
  const leave = new Float64Array(k);
  const inverseB = new Float64Array(k);
  const common = -logGamma(r) + logGamma(a + b) - logGamma(b) + r * Math.log(alpha);
  let gr = 0;
  let gAlpha = 0;
  let ga = 0;
  let gb = 0;
  const psiR = gradient === undefined ? 0 : digamma(r);
  const psiAB = gradient === undefined ? 0 : digamma(a + b);
  const psiB = gradient === undefined ? 0 : digamma(b);
  for (let j = 0; j < k; j++) {
    const x = counts.values[j] ?? 0;
    base[j] = common + logGamma(r + x) + logGamma(b + x) - logGamma(a + b + x);
    leave[j] = x > 0 ? Math.log(a) - Math.log(b + x - 1) : 0;
    inverseB[j] = x > 0 ? 1 / (b + x - 1) : 0;
    if (gradient !== undefined) {
      const w = weightPerX[j] ?? 0;
      gr += w * (digamma(r + x) - psiR + Math.log(alpha));
      gAlpha += (w * r) / alpha;
      const psiABX = digamma(a + b + x);
      ga += w * (psiAB - psiABX);
      gb += w * (psiAB + digamma(b + x) - psiB - psiABX);
    }
  }
  const logTime = new Float64Array(times.length);
  const inverseTime = new Float64Array(times.length);
  for (let t = 0; t < times.length; t++) {
    const v = alpha + (times[t] ?? 0);
    logTime[t] = Math.log(v);
    inverseTime[t] = 1 / v;
  }
  const { x: xs, weight } = data;
  let sum = 0;
  if (prepared.zeroIndex >= 0) {
    const zeroBase = base[prepared.zeroIndex] ?? 0;
    const w0 = prepared.zeroWeightPerTime;
    for (let t = 0; t < w0.length; t++) {
      const w = w0[t] ?? 0;
      if (w === 0) continue;
      const lT = logTime[t] ?? 0;
      sum += w * (zeroBase - r * lT);
      if (gradient !== undefined) {
        gr -= w * lT;
        gAlpha -= w * r * (inverseTime[t] ?? 0);
      }
    }
  }
  let sumW = 0;
  let sumWB = 0;
  for (let i = 0; i < xs.length; i++) {
    const j = counts.index[i] ?? 0;
    const x = xs[i] ?? 0;
    const wt = weight[i] ?? 0;
    const rx = r + x;
    const iT = TIndex[i] ?? 0;
    const lT = logTime[iT] ?? 0;
    const stay = -rx * lT;
    if (x > 0) {
      const it = txIndex[i] ?? 0;
      const lt = logTime[it] ?? 0;
      const left = (leave[j] ?? 0) - rx * lt;
      const d = left - stay;
      const e = Math.exp(-Math.abs(d));
      const w = d > 0 ? 1 / (1 + e) : e / (1 + e);
      sum += wt * ((base[j] ?? 0) + Math.max(left, stay) + Math.log1p(e));
      if (gradient !== undefined) {
        gr -= wt * ((1 - w) * lT + w * lt);
        gAlpha -= wt * rx * ((1 - w) * (inverseTime[iT] ?? 0) + w * (inverseTime[it] ?? 0));
        sumW += wt * w;
        sumWB += wt * w * (inverseB[j] ?? 0);
      }
    } else {
      sum += wt * ((base[j] ?? 0) + stay);
      if (gradient !== undefined) {
        gr -= wt * lT;
        gAlpha -= wt * rx * (inverseTime[iT] ?? 0);
      }
    }
  }
  if (gradient !== undefined) {
    gradient[0] = gr;
    gradient[1] = gAlpha;
    gradient[2] = ga + sumW / a;
    gradient[3] = gb - sumWB;
  }
  return sum;
}

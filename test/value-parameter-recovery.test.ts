import { describe, expect, test } from "vitest";
import { fitBgnbd } from "../src/analytics/value/bgnbd.js";
import { fitGammaGamma } from "../src/analytics/value/gamma-gamma.js";
import { purchaseHistories } from "../src/analytics/value/purchase-histories.js";
import { Rng } from "./support/fuzz-rng.js";

/** Gamma(shape, rate) by Marsaglia and Tsang, boosted for shape < 1. */
function gamma(rng: Rng, shape: number, rate: number): number {
  if (shape < 1) return gamma(rng, shape + 1, rate) * rng.next() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let z: number;
    let v: number;
    do {
      // Box-Muller; 1 - next() keeps the log finite.
      z = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
      v = 1 + c * z;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

function beta(rng: Rng, a: number, b: number): number {
  const x = gamma(rng, a, 1);
  return x / (x + gamma(rng, b, 1));
}

/** The models' story: buy at rate λ while alive, leave after a purchase with probability p. */
function simulate(seed: number, n: number) {
  const truth = { r: 0.5, alpha: 8, a: 0.8, b: 3, p: 6, q: 4, gamma: 15 };
  const rng = new Rng(seed);
  const histories: { x: number; tx: number; T: number }[] = [];
  const spend: { x: number; zbar: number }[] = [];
  for (let i = 0; i < n; i++) {
    const lambda = gamma(rng, truth.r, truth.alpha);
    const dropout = beta(rng, truth.a, truth.b);
    const nu = gamma(rng, truth.q, truth.gamma);
    const T = 20 + 40 * rng.next();
    let t = 0;
    let x = 0;
    let tx = 0;
    let total = 0;
    for (;;) {
      t += -Math.log(1 - rng.next()) / lambda;
      if (t > T) break;
      x += 1;
      tx = t;
      total += gamma(rng, truth.p, nu);
      if (rng.chance(dropout)) break;
    }
    histories.push({ x, tx, T });
    if (x > 0) spend.push({ x, zbar: total / x });
  }
  return { truth, histories, spend };
}

describe("fitting simulated customers back", () => {
  const { truth, histories, spend } = simulate(20260, 30_000);

  test("recovers the BG/NBD parameters it simulated from", () => {
    const fit = fitBgnbd(purchaseHistories(histories));
    expect(fit.converged).toBe(true);
    expect(fit.params.r).toBeGreaterThan(truth.r * 0.9);
    expect(fit.params.r).toBeLessThan(truth.r * 1.1);
    expect(fit.params.alpha).toBeGreaterThan(truth.alpha * 0.85);
    expect(fit.params.alpha).toBeLessThan(truth.alpha * 1.15);
    expect(fit.params.a).toBeGreaterThan(truth.a * 0.75);
    expect(fit.params.a).toBeLessThan(truth.a * 1.25);
    expect(fit.params.b).toBeGreaterThan(truth.b * 0.75);
    expect(fit.params.b).toBeLessThan(truth.b * 1.25);
  });

  test("recovers the Gamma-Gamma parameters it simulated from", () => {
    const fit = fitGammaGamma({
      x: Float64Array.from(spend, (s) => s.x),
      zbar: Float64Array.from(spend, (s) => s.zbar),
    });
    expect(fit.converged).toBe(true);
    expect(fit.params.p).toBeGreaterThan(truth.p * 0.9);
    expect(fit.params.p).toBeLessThan(truth.p * 1.1);
    expect(fit.params.q).toBeGreaterThan(truth.q * 0.85);
    expect(fit.params.q).toBeLessThan(truth.q * 1.15);
    expect(fit.params.gamma).toBeGreaterThan(truth.gamma * 0.85);
    expect(fit.params.gamma).toBeLessThan(truth.gamma * 1.15);
  });

  test("reports a fit with no interior optimum as not converged: nobody ever repeats", () => {
    const fit = fitBgnbd(purchaseHistories(histories.map((h) => ({ ...h, x: 0, tx: 0 }))));
    expect(fit.converged).toBe(false);
  });

  test("reports an empty population as not converged", () => {
    expect(fitBgnbd(purchaseHistories([])).converged).toBe(false);
    expect(fitGammaGamma({ x: new Float64Array(0), zbar: new Float64Array(0) }).converged).toBe(
      false,
    );
  });
});

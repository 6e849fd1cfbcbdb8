import { describe, expect, it } from "vitest";
import { minimiseWithGradient } from "../src/analytics/value/quasi-newton.js";

/** A deterministic value in [-1, 1) that changes with the last digits of `x`. */
function jitter(x: number): number {
  const s = Math.sin(x * 1e9) * 43758.5453;
  return 2 * (s - Math.floor(s)) - 1;
}

/**
 * 1 + (x - 1)² with the errors a sum over a million rows carries: the value is off by up to
 * 1e-13 and the gradient by up to 1e-7, so near the optimum no step can show a decrease and
 * the gradient never falls below the 1e-9 tolerance.
 */
function roundedParabola(x: Float64Array, gradient: Float64Array): number {
  const v = x[0] ?? 0;
  gradient[0] = 2 * (v - 1) + 1e-7 * jitter(v + 0.5);
  return 1 + (v - 1) ** 2 + 1e-13 * jitter(v);
}

describe("the model fits' BFGS at the limit of rounding", () => {
  it("settles at the optimum once no step can gain more than rounding, without spending evaluations", () => {
    const found = minimiseWithGradient(roundedParabola, [4]);
    expect(found.converged).toBe(true);
    expect(Math.abs((found.x[0] ?? 0) - 1)).toBeLessThan(1e-6);
    expect(found.evaluations).toBeLessThan(20);
  });

  it("does not stop on a flat objective before it has learnt the curvature", () => {
    // The first step's predicted decrease (|g|² = 9e-16) is below rounding, the reachable one
    // (4.5e-10) is not: stopping there would leave x 0.03 off.
    const flat = (x: Float64Array, gradient: Float64Array) => {
      const v = x[0] ?? 0;
      gradient[0] = 1e-6 * (v - 1);
      return 2 + 0.5e-6 * (v - 1) ** 2;
    };
    const found = minimiseWithGradient(flat, [1.03]);
    expect(found.converged).toBe(true);
    expect(Math.abs((found.x[0] ?? 0) - 1)).toBeLessThan(1e-6);
  });

  it("still reports a search that stops far from a zero gradient as not converged", () => {
    const cliff = (x: Float64Array, gradient: Float64Array) => {
      gradient[0] = 1;
      return (x[0] ?? 0) > 0 ? Number.NaN : 0;
    };
    const found = minimiseWithGradient(cliff, [0]);
    expect(found.converged).toBe(false);
  });
});

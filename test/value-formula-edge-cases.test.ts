import { describe, expect, test } from "vitest";
import {
  bgnbdLogLikelihood,
  conditionalExpectedPurchases,
  expectedIfAlive,
  expectedPurchasesOfNewCustomer,
  probabilityAlive,
} from "../src/analytics/value/bgnbd.js";
import {
  bgnbdLogLikelihoodPrepared,
  prepareHistories,
} from "../src/analytics/value/bgnbd-likelihood.js";
import { expectedSpend, gammaGammaLogLikelihood } from "../src/analytics/value/gamma-gamma.js";
import { purchaseHistories } from "../src/analytics/value/purchase-histories.js";
import { hyp2f1, logBeta, logGamma } from "../src/analytics/value/special-functions.js";

/** The CDNOW optimum, rounded: any positive parameters would do for these identities. */
const P = { r: 0.2426, alpha: 4.4135, a: 0.7929, b: 2.4258 };

/** The paper's likelihood of one customer, written term by term as it is printed. */
function paperLikelihood(x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = P;
  const lead = Math.exp(logGamma(r + x) - logGamma(r) + r * Math.log(alpha));
  const stay = Math.exp(logBeta(a, b + x) - logBeta(a, b)) / (alpha + T) ** (r + x);
  const left =
    x > 0 ? Math.exp(logBeta(a + 1, b + x - 1) - logBeta(a, b)) / (alpha + tx) ** (r + x) : 0;
  return lead * (stay + left);
}

/** The paper's E[Y(t) | x, t_x, T] with 2F1 summed directly (no transformation). */
function paperExpectation(x: number, tx: number, T: number, t: number): number {
  const { r, alpha, a, b } = P;
  const z = t / (alpha + T + t);
  const f = hyp2f1(r + x, b + x, a + b + x - 1, z);
  const head = ((a + b + x - 1) / (a - 1)) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * f);
  const alive = x > 0 ? (a / (b + x - 1)) * ((alpha + T) / (alpha + tx)) ** (r + x) : 0;
  return head / (1 + alive);
}

function relativeClose(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected));
}

describe("the BG/NBD formulas on hand-worked cases", () => {
  test("the log-likelihood is the paper's, customer by customer", () => {
    for (const [x, tx, T] of [
      [0, 0, 38.86],
      [1, 1.71, 38.86],
      [2, 30.43, 38.86],
      [7, 20, 30],
    ] as const) {
      relativeClose(
        bgnbdLogLikelihood(P, purchaseHistories([{ x, tx, T }])),
        Math.log(paperLikelihood(x, tx, T)),
        1e-12,
      );
    }
  });

  test("x = 0: alive for sure, likelihood (α / (α + T))^r", () => {
    expect(probabilityAlive(P, 0, 0, 50)).toBe(1);
    relativeClose(
      bgnbdLogLikelihood(P, purchaseHistories([{ x: 0, tx: 0, T: 50 }])),
      P.r * Math.log(P.alpha / (P.alpha + 50)),
      1e-13,
    );
  });

  test("t_x = T (bought on the last day): P(alive) = 1 / (1 + a / (b + x - 1))", () => {
    relativeClose(probabilityAlive(P, 3, 20, 20), 1 / (1 + P.a / (P.b + 2)), 1e-15);
  });

  test("a customer born on the reference day contributes nothing and expects E[X(t)]", () => {
    expect(bgnbdLogLikelihood(P, purchaseHistories([{ x: 0, tx: 0, T: 0 }]))).toBeCloseTo(0, 14);
    expect(probabilityAlive(P, 0, 0, 0)).toBe(1);
    expect(conditionalExpectedPurchases(P, 0, 0, 0, 39)).toBe(
      expectedPurchasesOfNewCustomer(P, 39),
    );
    expect(conditionalExpectedPurchases(P, 0, 0, 0, 0)).toBe(0);
  });

  test("the transformed expectation equals the paper's direct series", () => {
    for (const [x, tx, T, t] of [
      [0, 0, 38.86, 39],
      [2, 30.43, 38.86, 39],
      [5, 10, 38, 52],
      [12, 37, 38, 10],
    ] as const) {
      relativeClose(
        conditionalExpectedPurchases(P, x, tx, T, t),
        paperExpectation(x, tx, T, t),
        1e-10,
      );
    }
  });

  test("very large x stays finite: the likelihood, P(alive) and about rate x t purchases", () => {
    const x = 20_000;
    const ll = bgnbdLogLikelihood(P, purchaseHistories([{ x, tx: 99.9, T: 100 }]));
    expect(Number.isFinite(ll)).toBe(true);
    // Bought on the last day: alive unless they left right after, a / (b + x - 1) to 1.
    expect(probabilityAlive(P, x, 100, 100)).toBeGreaterThan(0.9999);
    // At about 200 a week, a silent tenth of a week is twenty missing purchases: almost gone.
    const gap = probabilityAlive(P, x, 99.9, 100);
    expect(gap).toBeGreaterThan(0);
    expect(gap).toBeLessThan(1e-3);
    // Silent for 99 weeks: gone, exactly 0 rather than NaN.
    expect(probabilityAlive(P, x, 1, 100)).toBe(0);
    // The posterior rate is (r + x) / (α + T); drop-out after 20,000 purchases is negligible.
    relativeClose(expectedIfAlive(P, x, 100, 1), (P.r + x) / (P.alpha + 100), 0.01);
  });

  test("the analytic gradient matches finite differences", () => {
    const prepared = prepareHistories(
      purchaseHistories([
        { x: 0, tx: 0, T: 30 },
        { x: 2, tx: 10, T: 30, weight: 3 },
        { x: 9, tx: 28, T: 35 },
      ]),
    );
    const gradient = new Float64Array(4);
    bgnbdLogLikelihoodPrepared(P, prepared, gradient);
    const keys = ["r", "alpha", "a", "b"] as const;
    keys.forEach((key, i) => {
      const h = 1e-6 * P[key];
      const up = bgnbdLogLikelihoodPrepared({ ...P, [key]: P[key] + h }, prepared);
      const down = bgnbdLogLikelihoodPrepared({ ...P, [key]: P[key] - h }, prepared);
      relativeClose(gradient[i] ?? 0, (up - down) / (2 * h), 1e-6);
    });
  });
});

describe("the Gamma-Gamma formulas on hand-worked cases", () => {
  const G = { p: 6.25, q: 3.74, gamma: 15.44 };

  test("x = 0 expects the population mean p γ / (q - 1)", () => {
    relativeClose(expectedSpend(G, 0, 0), (G.p * G.gamma) / (G.q - 1), 1e-15);
  });

  test("many purchases pull the expectation to the customer's own mean", () => {
    relativeClose(expectedSpend(G, 100_000, 42), 42, 1e-4);
  });

  test("q <= 1 has no mean: NaN, never a number", () => {
    expect(expectedSpend({ ...G, q: 0.9 }, 3, 10)).toBeNaN();
  });

  test("the likelihood of one customer is the printed formula", () => {
    const [x, z] = [3, 20];
    const { p, q, gamma } = G;
    const printed =
      logGamma(p * x + q) -
      logGamma(p * x) -
      logGamma(q) +
      q * Math.log(gamma) +
      (p * x - 1) * Math.log(z) +
      p * x * Math.log(x) -
      (p * x + q) * Math.log(x * z + gamma);
    relativeClose(
      gammaGammaLogLikelihood(G, { x: Float64Array.of(x), zbar: Float64Array.of(z) }),
      printed,
      1e-13,
    );
  });
});

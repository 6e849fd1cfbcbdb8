import { describe, expect, test } from "vitest";
import { digamma, hyp2f1, logBeta, logGamma } from "../src/analytics/value/special-functions.js";

/** Relative difference, with an absolute floor for values near zero. */
function close(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(
    tolerance * Math.max(1, Math.abs(expected)),
  );
}

describe("log-gamma against exact values", () => {
  test.each([
    [0.5, 0.5 * Math.log(Math.PI)],
    [1, 0],
    [2, 0],
    [3, Math.log(2)],
    [10, Math.log(362880)],
    [0.1, 2.252712651734206],
    [1.5, Math.log(Math.sqrt(Math.PI) / 2)],
    [100, 359.1342053695754],
    [1e6, 12815504.56914761],
  ])("ln Γ(%s)", (x, expected) => {
    close(logGamma(x), expected, 1e-13);
  });

  test("is NaN off its domain", () => {
    expect(logGamma(0)).toBeNaN();
    expect(logGamma(-1.5)).toBeNaN();
  });

  test("ln B(a, b) = ln Γ(a) + ln Γ(b) - ln Γ(a + b), e.g. B(2, 3) = 1/12", () => {
    close(logBeta(2, 3), Math.log(1 / 12), 1e-14);
  });
});

describe("digamma against exact values", () => {
  const eulerGamma = 0.5772156649015329;
  test.each([
    [1, -eulerGamma],
    [0.5, -eulerGamma - 2 * Math.log(2)],
    [2, 1 - eulerGamma],
    [10, 2.251752589066721],
    [1e-3, -1000.5755719318103],
  ])("ψ(%s)", (x, expected) => {
    close(digamma(x), expected, 1e-12);
  });

  test("is the derivative of log-gamma", () => {
    for (const x of [0.3, 2.7, 15, 400]) {
      const h = 1e-5 * x;
      close(digamma(x), (logGamma(x + h) - logGamma(x - h)) / (2 * h), 1e-7);
    }
  });
});

describe("the hypergeometric 2F1 against closed forms", () => {
  test.each([0, 0.1, 0.5, 0.9, 0.99])("2F1(1, 1; 2; z) = -ln(1 - z) / z at z = %s", (z) => {
    close(hyp2f1(1, 1, 2, z), z === 0 ? 1 : -Math.log1p(-z) / z, 1e-13);
  });

  test.each([0.2, 0.7, 0.95])("2F1(a, b; b; z) = (1 - z)^-a at z = %s", (z) => {
    close(hyp2f1(0.37, 2.5, 2.5, z), (1 - z) ** -0.37, 1e-13);
  });

  test.each([0.3, 0.8])("2F1(1/2, 1/2; 3/2; z^2) = asin(z) / z at z = %s", (z) => {
    close(hyp2f1(0.5, 0.5, 1.5, z * z), Math.asin(z) / z, 1e-13);
  });

  test("terminates for a negative integer parameter: 2F1(-2, b; c; z) is a quadratic", () => {
    const [b, c, z] = [3, 4, 0.6];
    close(hyp2f1(-2, b, c, z), 1 - (2 * b * z) / c + (b * (b + 1) * z * z) / (c * (c + 1)), 1e-15);
  });

  test("refuses z outside [0, 1) and a pole at c = 0, -1, ...", () => {
    expect(hyp2f1(1, 1, 2, 1)).toBeNaN();
    expect(hyp2f1(1, 1, 2, -0.5)).toBeNaN();
    expect(hyp2f1(1, 1, -1, 0.5)).toBeNaN();
  });
});

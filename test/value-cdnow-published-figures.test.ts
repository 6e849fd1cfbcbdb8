import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  conditionalExpectedPurchases,
  expectedPurchasesOfNewCustomer,
  fitBgnbd,
} from "../src/analytics/value/bgnbd.js";
import { purchaseHistories } from "../src/analytics/value/purchase-histories.js";
import { buildValueModel } from "../src/analytics/value/value-build.js";
import { fitValueModel, type ValueModel } from "../src/analytics/value/value-model.js";
import { connectionRunner, type SqlRunner } from "../src/snapshot/sql-runner.js";
import { localFilesLoad } from "../src/source/local-files.js";
import { type LoadedSource, runSourceLoad } from "./support/run-source-load.js";

/** The CDNOW sample mapped onto the three tables: one customer per buyer, one product, one row per transaction. */
const CDNOW = fileURLToPath(new URL("fixtures/cdnow", import.meta.url));
/** The papers' per-customer calibration summary (ID,x,t_x,T,zbar), to check our summary row by row. */
const SUMMARY = fileURLToPath(new URL("fixtures/cdnow-calibration-summary.csv", import.meta.url));

/** Rounds half away from zero to `digits` decimals, as the papers print their figures. */
function printed(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

let loaded: LoadedSource;
let db: SqlRunner;
let model: ValueModel;

beforeAll(async () => {
  loaded = await runSourceLoad(await localFilesLoad(CDNOW));
  db = connectionRunner(loaded.connection);
  model = await fitValueModel(db, {
    calibrationEnd: "1997-09-30",
    timeUnit: "week",
    holdoutEnd: "1998-06-30",
    horizonMonths: 12,
    monthlyDiscount: 0.01,
  });
});

afterAll(() => loaded?.connection.closeSync());

describe("the CDNOW sample loaded through the local source", () => {
  test("gives the papers' calibration summary for every customer", async () => {
    await buildValueModel(db, { calibrationEnd: "1997-09-30", timeUnit: "week" });
    const ours = await db.all(
      `SELECT customer_id, x, t_x, "T", zbar FROM value_customers ORDER BY customer_id`,
    );
    const theirs = (await readFile(SUMMARY, "utf8")).trim().split("\n").slice(1);
    expect(ours).toHaveLength(theirs.length);
    theirs.forEach((line, i) => {
      const [id, x, tx, T, zbar] = line.split(",").map(Number);
      const row = ours[i];
      expect(row?.customer_id).toBe(`C${String(id).padStart(4, "0")}`);
      expect(row?.x).toBe(x);
      // The file prints two decimals (half up); ours are unrounded.
      expect(Math.abs(Number(row?.t_x) - (tx ?? 0))).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(Math.abs(Number(row?.T) - (T ?? 0))).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(Math.abs(Number(row?.zbar) - (zbar ?? 0))).toBeLessThanOrEqual(0.005 + 1e-9);
    });
  });

  test("fits the BG/NBD model to the published r, alpha, a, b and log-likelihood", () => {
    const { params, logLikelihood, converged, customers } = model.bgnbd;
    expect(converged).toBe(true);
    expect(customers).toBe(2357);
    expect(printed(params.r, 3)).toBe(0.243);
    expect(printed(params.alpha, 3)).toBe(4.414);
    expect(printed(params.a, 3)).toBe(0.793);
    expect(printed(params.b, 3)).toBe(2.426);
    expect(printed(logLikelihood, 1)).toBe(-9582.4);
  });

  test("gives the four-decimal optimum on the published summary (times rounded to 0.01 week)", async () => {
    const rows = (await readFile(SUMMARY, "utf8")).trim().split("\n").slice(1);
    const fit = fitBgnbd(
      purchaseHistories(
        rows.map((line) => {
          const [, x, tx, T] = line.split(",").map(Number);
          return { x: x ?? 0, tx: tx ?? 0, T: T ?? 0 };
        }),
      ),
    );
    expect(fit.converged).toBe(true);
    const { r, alpha, a, b } = fit.params;
    expect([r, alpha, a, b].map((v) => printed(v, 4))).toEqual([0.2426, 4.4135, 0.7929, 2.4258]);
    // On the exact times (above) the optimum moves in the fourth decimal of alpha and b only.
    expect(printed(model.bgnbd.params.alpha, 4)).toBe(4.4136);
    expect(printed(model.bgnbd.params.b, 4)).toBe(2.4259);
  });

  test("expects 1.226 purchases in 39 weeks of the paper's example customer", () => {
    const e = conditionalExpectedPurchases(model.bgnbd.params, 2, 30.43, 38.86, 39);
    expect(printed(e, 3)).toBe(1.226);
  });

  test("gives the published E[X(t)] of a new customer for t = 1, 3, 32 and 78 weeks", () => {
    const e = (t: number, digits: number) =>
      printed(expectedPurchasesOfNewCustomer(model.bgnbd.params, t), digits);
    expect(e(1, 4)).toBe(0.0532);
    expect(e(3, 4)).toBe(0.1506);
    expect(e(32, 4)).toBe(1.0437);
    expect(e(78, 3)).toBe(1.858);
  });

  test("fits the Gamma-Gamma model to the published p, q, gamma and log-likelihood", () => {
    const { params, logLikelihood, converged, customers } = model.gammaGamma;
    expect(converged).toBe(true);
    expect(customers).toBe(946);
    expect(model.spendLeftOut).toBe(0);
    expect(printed(params.p, 2)).toBe(6.25);
    expect(printed(params.q, 2)).toBe(3.74);
    expect(printed(params.gamma, 2)).toBe(15.44);
    expect(printed(logLikelihood, 2)).toBe(-4055.92);
  });

  test("compares calibration and holdout per frequency bucket, as the paper plots it", () => {
    const buckets = model.holdout ?? [];
    expect(buckets.map((b) => b.label)).toEqual(["0", "1", "2", "3", "4", "5", "6", "7+"]);
    expect(buckets.reduce((n, b) => n + b.customers, 0)).toBe(2357);
    expect(buckets.map((b) => b.customers)).toEqual([1411, 439, 214, 100, 62, 38, 29, 64]);
    // Those who never repeated: 0.237 actual against 0.225 expected, as the paper's figure shows.
    expect(printed(buckets[0]?.actualMean ?? 0, 3)).toBe(0.237);
    expect(printed(buckets[0]?.expectedMean ?? 0, 3)).toBe(0.225);
    // Expected purchases rise with calibration frequency, as the actual ones do.
    const expected = buckets.map((b) => b.expectedMean);
    expect(expected).toEqual([...expected].sort((a, b) => a - b));
  });
});

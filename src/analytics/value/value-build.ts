import type { TableBuild } from "../../snapshot/snapshot-build.js";
import type { SqlParam, SqlRunner } from "../../snapshot/sql-runner.js";
import type { AnalyticsBuild } from "../analytics-build.js";
import { expectationsIfAlive } from "./customer-predictions.js";
import { UNIT_DAYS, VALUE_DEFAULTS, type ValueArgs } from "./value-args.js";
import { fitValueModel, STAGED_SUMMARY_SOURCE, type ValueModel } from "./value-model.js";
import {
  DROP_STAGED_SUMMARY,
  REFERENCE_DAY,
  REFERENCE_DAY_FROM_DATA,
  STAGE_SUMMARY,
  summaryParams,
} from "./value-sql.js";
import {
  COUNT_VALUE_CUSTOMERS,
  CREATE_PAIR_EXPECTATIONS,
  CREATE_VALUE_CUSTOMERS,
  CREATE_VALUE_MODEL,
  DISTINCT_PAIRS,
  DROP_PAIR_EXPECTATIONS,
  INSERT_VALUE_MODEL,
} from "./value-tables-sql.js";

/** Settings of the precomputed value model; any left out takes its default. */
export type ValueBuildOptions = Partial<ValueArgs>;

/**
 * Builds the snapshot's `value_model` and `value_customers`: the default-argument model
 * (calibration end = the snapshot's reference day, days, 12 months at 1 % a month) fitted
 * once per sync so that GetValueModel, GetCustomerValue and ListCustomersByValue are lookups.
 * Runs after the other analytics, whose reference day it shares.
 */
export async function buildValueModel(
  db: SqlRunner,
  options: ValueBuildOptions = {},
): Promise<TableBuild[]> {
  const started = performance.now();
  const calibrationEnd = options.calibrationEnd ?? (await referenceDay(db));
  const args: ValueArgs = { ...VALUE_DEFAULTS, ...options, calibrationEnd };
  await db.run(STAGE_SUMMARY, summaryParams(args.calibrationEnd, UNIT_DAYS[args.timeUnit]));
  const model = await fitValueModel(db, args, STAGED_SUMMARY_SOURCE);
  await db.run(CREATE_VALUE_MODEL);
  await db.run(INSERT_VALUE_MODEL, modelRow(model));
  const modelMs = performance.now() - started;
  await writeCustomers(db, model);
  await db.run(DROP_STAGED_SUMMARY);
  const [row] = await db.all(COUNT_VALUE_CUSTOMERS);
  return [
    { table: "value_model", rows: 1, durationMs: modelMs },
    {
      table: "value_customers",
      rows: Number(row?.n ?? 0),
      durationMs: performance.now() - started - modelMs,
    },
  ];
}

async function referenceDay(db: SqlRunner): Promise<string> {
  const rows = await db.all(REFERENCE_DAY).catch(() => db.all(REFERENCE_DAY_FROM_DATA));
  return String(rows[0]?.d);
}

/** The `value_model` row, in the table's column order. */
function modelRow(m: ValueModel): SqlParam[] {
  const { bgnbd: bg, gammaGamma: gg } = m;
  return [
    m.args.calibrationEnd,
    m.args.timeUnit,
    m.args.horizonMonths,
    m.args.monthlyDiscount,
    m.customers,
    m.repeatBuyers,
    m.spendLeftOut,
    bg.params.r,
    bg.params.alpha,
    bg.params.a,
    bg.params.b,
    bg.logLikelihood,
    bg.converged,
    bg.reason,
    bg.customers,
    gg.params.p,
    gg.params.q,
    gg.params.gamma,
    gg.logLikelihood,
    gg.converged,
    gg.reason,
    gg.customers,
    m.fitSeconds,
  ];
}

async function writeCustomers(db: SqlRunner, model: ValueModel): Promise<void> {
  const { args, bgnbd, gammaGamma } = model;
  const pairs = await db.all(DISTINCT_PAIRS);
  const columns: number[][] = [[], [], [], [], [], []];
  for (const pair of pairs) {
    const x = Number(pair.x);
    const e = bgnbd.converged
      ? expectationsIfAlive(bgnbd.params, x, Number(pair.T), args)
      : { purchases: [Number.NaN, Number.NaN, Number.NaN], discountedPurchases: Number.NaN };
    const row = [x, Number(pair.t_days), ...e.purchases, e.discountedPurchases];
    for (const [i, v] of row.entries()) columns[i]?.push(v);
  }
  // NaN (a series that did not settle) becomes JSON null, so SQL NULL: never a number.
  await db.run(
    CREATE_PAIR_EXPECTATIONS,
    columns.map((c) => JSON.stringify(c)),
  );
  const { a, b, r, alpha } = bgnbd.params;
  const { p, q, gamma } = gammaGamma.params;
  await db.run(CREATE_VALUE_CUSTOMERS, [
    bgnbd.converged,
    a,
    b,
    r,
    alpha,
    gammaGamma.converged,
    gamma,
    p,
    q,
  ]);
  await db.run(DROP_PAIR_EXPECTATIONS);
}

/**
 * The value slice in the sync's one build list: both tables in one step (the customers' values
 * need the fitted model), reported by `value_customers`, fitted on the reference day the other
 * analytics fixed so that P(alive) and RFM recency speak of the same day.
 */
export const VALUE_BUILDS: readonly AnalyticsBuild[] = [
  {
    slice: "value",
    tables: ["value_customers", "value_model"],
    build: async (db, { dates }) => {
      await buildValueModel(db, { calibrationEnd: dates.referenceDate });
    },
  },
];

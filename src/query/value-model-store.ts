import type { TimeUnit, ValueArgs } from "../analytics/value/value-args.js";
import { fitValueModel, type ValueModel } from "../analytics/value/value-model.js";
import { SELECT_VALUE_MODEL } from "../analytics/value/value-tables-sql.js";
import { AppError } from "../app-error.js";
import type { SnapshotReader } from "../snapshot/snapshot-reader.js";
import type { SqlRow, SqlRunner } from "../snapshot/sql-runner.js";
import { sameFit } from "./value-request.js";

/**
 * Where the query side gets its models: the snapshot's precomputed row, read once per
 * snapshot, or a fit for other arguments, made on the first request and remembered with the
 * snapshot (SnapshotMemo), so the same question is fitted once per snapshot.
 */
export function precomputedModel(db: SqlRunner | SnapshotReader): Promise<ValueModel> {
  return "memo" in db
    ? db.memo.answer("value model precomputed", () => readModel(db))
    : readModel(db);
}

/** The model for `args`: the precomputed one when the likelihood is the same, else a fit. */
export async function modelFor(
  db: SqlRunner | SnapshotReader,
  args: ValueArgs,
): Promise<ValueModel> {
  const precomputed = await precomputedModel(db);
  if (sameFit(args, precomputed.args) && args.holdoutEnd === "") {
    return { ...precomputed, args };
  }
  const key = `value model ${args.calibrationEnd} ${args.timeUnit} ${args.holdoutEnd}`;
  const fitted = (): Promise<ValueModel> =>
    fitValueModel(db, { ...args, horizonMonths: 12, monthlyDiscount: 0.01 });
  const model = await ("memo" in db ? db.memo.answer(key, fitted) : fitted());
  return { ...model, args };
}

async function readModel(db: SqlRunner): Promise<ValueModel> {
  const rows = await db.all(SELECT_VALUE_MODEL).catch((cause: unknown) => {
    throw new AppError("failed_precondition", "the snapshot has no value model; sync again", {
      cause,
    });
  });
  const [row] = rows;
  if (row === undefined) {
    throw new AppError("failed_precondition", "the snapshot's value model is empty; sync again");
  }
  return modelFromRow(row);
}

function modelFromRow(row: SqlRow): ValueModel {
  const n = (name: string) => Number(row[name]);
  const bgOk = row.bgnbd_converged === true;
  const ggOk = row.gg_converged === true;
  return {
    args: {
      calibrationEnd: String(row.calibration_end),
      timeUnit: String(row.time_unit) as TimeUnit,
      holdoutEnd: "",
      horizonMonths: n("horizon_months"),
      monthlyDiscount: n("monthly_discount"),
    },
    bgnbd: {
      params: { r: n("bgnbd_r"), alpha: n("bgnbd_alpha"), a: n("bgnbd_a"), b: n("bgnbd_b") },
      logLikelihood: n("bgnbd_log_likelihood"),
      converged: bgOk,
      reason: String(row.bgnbd_reason ?? ""),
      customers: n("bgnbd_customers"),
      evaluations: 0,
    },
    gammaGamma: {
      params: { p: n("gg_p"), q: n("gg_q"), gamma: n("gg_gamma") },
      logLikelihood: n("gg_log_likelihood"),
      converged: ggOk,
      reason: String(row.gg_reason ?? ""),
      customers: n("gg_customers"),
      evaluations: 0,
    },
    customers: n("customers"),
    repeatBuyers: n("repeat_buyers"),
    spendLeftOut: n("spend_left_out"),
    fitSeconds: n("fit_seconds"),
    holdout: undefined,
  };
}

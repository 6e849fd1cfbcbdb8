import { predictCustomer } from "../analytics/value/customer-predictions.js";
import { UNIT_DAYS } from "../analytics/value/value-args.js";
import {
  CLV_DECILES,
  CUSTOMER_EXISTS,
  CUSTOMER_HISTORY,
  PRECOMPUTED_CUSTOMER_VALUE,
  RANKED_PAGE,
  type RankingName,
} from "../analytics/value/value-list-sql.js";
import type { ValueModel } from "../analytics/value/value-model.js";
import { summaryParams } from "../analytics/value/value-sql.js";
import { AppError } from "../app-error.js";
import type { SnapshotReader } from "../snapshot/snapshot-reader.js";
import type { SqlRow, SqlRunner } from "../snapshot/sql-runner.js";
import { checkId } from "./arg-checks.js";
import { decodePageToken, effectivePageSize, encodePageToken, pageScope } from "./page-token.js";
import { jsonListParam } from "./row-values.js";
import { modelFor, precomputedModel } from "./value-model-store.js";
import { isPrecomputed, resolveValueArgs, type ValueRequestArgs } from "./value-request.js";

/** What the query side reads from: a snapshot's reader (with its memo) or a plain runner. */
type Db = SqlRunner | SnapshotReader;

/** A tenth of the precomputed customers by CLV. */
export interface ClvDecile {
  readonly decile: number;
  readonly customers: number;
  readonly minClv: number;
  readonly maxClv: number;
  readonly totalClv: number;
}

/** GetValueModel's answer. */
export interface ValueModelAnswer {
  readonly model: ValueModel;
  readonly precomputed: boolean;
  /** Empty for a model fitted on request. */
  readonly clvDeciles: readonly ClvDecile[];
}

/** The model for a request: the precomputed row, or a fit remembered with the snapshot. */
export async function getValueModel(db: Db, request: ValueRequestArgs): Promise<ValueModelAnswer> {
  const precomputed = await precomputedModel(db);
  const args = resolveValueArgs(request, precomputed.args);
  if (!isPrecomputed(args, precomputed.args)) {
    return { model: await modelFor(db, args), precomputed: false, clvDeciles: [] };
  }
  const rows = await db.all(CLV_DECILES);
  const clvDeciles = rows.map((r) => ({
    decile: Number(r.decile),
    customers: Number(r.customers),
    minClv: Number(r.min_clv),
    maxClv: Number(r.max_clv),
    totalClv: Number(r.total_clv),
  }));
  return { model: precomputed, precomputed: true, clvDeciles };
}

/** One customer's history and predictions; NaN where a stored prediction is missing. */
export interface CustomerValueResult {
  readonly customerId: string;
  readonly firstPurchase: string;
  readonly lastPurchase: string;
  readonly x: number;
  readonly tx: number;
  readonly T: number;
  readonly zbar: number;
  readonly probabilityAlive: number;
  readonly expectedPurchases: readonly [number, number, number];
  readonly expectedSpend: number;
  readonly clv: number;
  readonly valueAtRisk: number;
}

/** GetCustomerValue's answer. */
export interface CustomerValueAnswer {
  readonly value: CustomerValueResult;
  readonly model: ValueModel;
}

/**
 * One customer's value: the precomputed row for default arguments, else the customer's
 * history under the requested calibration end with the (remembered) model for it. NOT_FOUND
 * for an unknown id; FAILED_PRECONDITION for a customer with no purchase in the window or a
 * model that did not converge, never numbers from an unusable fit.
 */
export async function getCustomerValue(
  db: Db,
  args: { readonly customerId: string; readonly request: ValueRequestArgs },
): Promise<CustomerValueAnswer> {
  const customerId = checkId(args.customerId, "customer_id");
  const precomputed = await precomputedModel(db);
  const resolved = resolveValueArgs({ ...args.request, holdoutEnd: "" }, precomputed.args);
  const model = isPrecomputed(resolved, precomputed.args)
    ? precomputed
    : await modelFor(db, resolved);
  requireConverged(model);
  let row: SqlRow | undefined;
  if (model === precomputed) {
    [row] = await db.all(PRECOMPUTED_CUSTOMER_VALUE, [customerId]);
  } else {
    const summary = summaryParams(resolved.calibrationEnd, UNIT_DAYS[resolved.timeUnit]);
    [row] = await db.all(CUSTOMER_HISTORY, [...summary, customerId]);
  }
  if (row === undefined) {
    const [known] = await db.all(CUSTOMER_EXISTS, [customerId]);
    if (known === undefined) {
      throw new AppError("not_found", `no customer has id ${customerId}`, {
        field: "customer_id",
      });
    }
    throw new AppError(
      "failed_precondition",
      `customer ${customerId} has no purchase on or before ${resolved.calibrationEnd}, so the model says nothing about them`,
      { field: "customer_id" },
    );
  }
  const value = model === precomputed ? fromRow(row) : predicted(model, row);
  return { value, model };
}

/** ListCustomersByValue's arguments. */
export interface ValueListArgs {
  readonly ranking?: RankingName;
  readonly regions?: readonly string[];
  readonly customerTypes?: readonly string[];
  readonly maxProbabilityAlive?: number;
  readonly minRepeatPurchases?: number;
  readonly pageSize: number;
  readonly pageToken: string;
}

/** One page of ranked customers and the token for the next. */
export interface ValueListPage {
  readonly customers: CustomerValueResult[];
  readonly nextPageToken: string;
  readonly calibrationEnd: string;
  /** Why nothing is ranked (a model did not converge), or "". */
  readonly unrankedReason: string;
}

/**
 * Ranks the precomputed model's customers by CLV or value at risk, best first, in keyset
 * pages on (score, customer_id). With a model that did not converge the page is empty and
 * says why (the arguments and token are still checked). Other model arguments are not offered here: ranking needs
 * every customer's prediction, which only the precomputed table holds.
 */
export async function listCustomersByValue(db: Db, args: ValueListArgs): Promise<ValueListPage> {
  const model = await precomputedModel(db);
  const ranking = args.ranking ?? "clv";
  const regions = jsonListParam(args.regions);
  const types = jsonListParam(args.customerTypes);
  const maxAlive = args.maxProbabilityAlive ?? null;
  const minRepeats = args.minRepeatPurchases ?? 0;
  const scope = pageScope("ListCustomersByValue", [ranking, regions, types, maxAlive, minRepeats]);
  const [score = null, after = null] =
    decodePageToken(
      args.pageToken,
      scope,
      2,
      ([s = null, id = null]) => s === null || (Number.isFinite(Number(s)) && id !== null),
    ) ?? [];
  const lastScore = score === null ? null : Number(score);
  const pageSize = effectivePageSize(args.pageSize);
  const unrankedReason = unusableReason(model);
  if (unrankedReason !== "") {
    return {
      customers: [],
      nextPageToken: "",
      calibrationEnd: model.args.calibrationEnd,
      unrankedReason,
    };
  }
  const rows = await db.all(RANKED_PAGE[ranking], [
    regions,
    regions,
    types,
    types,
    maxAlive,
    maxAlive,
    minRepeats,
    lastScore,
    lastScore,
    lastScore,
    after,
    pageSize + 1,
  ]);
  const customers = rows.slice(0, pageSize).map(fromRow);
  const last = customers.at(-1);
  const more = rows.length > pageSize && last !== undefined;
  const lastValue = ranking === "clv" ? last?.clv : last?.valueAtRisk;
  return {
    customers,
    nextPageToken: more ? encodePageToken(scope, [String(lastValue), last.customerId]) : "",
    calibrationEnd: model.args.calibrationEnd,
    unrankedReason: "",
  };
}

/** Why `model` gives no predictions (a fit that did not converge), or "". */
function unusableReason(model: ValueModel): string {
  for (const [name, fit] of [
    ["BG/NBD", model.bgnbd],
    ["Gamma-Gamma", model.gammaGamma],
  ] as const) {
    if (!fit.converged) {
      return `the ${name} model for calibration end ${model.args.calibrationEnd} did not converge (${fit.reason}), so it gives no predictions`;
    }
  }
  return "";
}

function requireConverged(model: ValueModel): void {
  const reason = unusableReason(model);
  if (reason !== "") throw new AppError("failed_precondition", reason);
}

function fromRow(row: SqlRow): CustomerValueResult {
  const n = (name: string) => {
    const cell = row[name];
    return cell === null || cell === undefined ? Number.NaN : Number(cell);
  };
  return {
    customerId: String(row.customer_id),
    firstPurchase: String(row.first_purchase),
    lastPurchase: String(row.last_purchase),
    x: n("x"),
    tx: n("t_x"),
    T: n("T"),
    zbar: n("zbar"),
    probabilityAlive: n("p_alive"),
    expectedPurchases: [n("expected_30"), n("expected_90"), n("expected_365")],
    expectedSpend: n("expected_spend"),
    clv: n("clv"),
    valueAtRisk: n("value_at_risk"),
  };
}

function predicted(model: ValueModel, row: SqlRow): CustomerValueResult {
  const history = {
    x: Number(row.x),
    tx: Number(row.t_x),
    T: Number(row.T),
    zbar: Number(row.zbar),
  };
  const p = predictCustomer(model, history);
  return {
    customerId: String(row.customer_id),
    firstPurchase: String(row.first_purchase),
    lastPurchase: String(row.last_purchase),
    ...history,
    probabilityAlive: p.probabilityAlive,
    expectedPurchases: p.expectedPurchases,
    expectedSpend: p.expectedSpend,
    clv: p.clv,
    valueAtRisk: p.valueAtRisk,
  };
}

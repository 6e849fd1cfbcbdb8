import type { CorrelationResult } from "./profiles-correlations.js";
import type { ProfileAlertThresholds } from "./profiles-options.js";
import type { SemanticType } from "./profiles-semantic-type.js";

/** The ydata-profiling alert types this service raises. */
export type AlertType =
  | "CONSTANT"
  | "UNIQUE"
  | "MISSING"
  | "ZEROS"
  | "INFINITE"
  | "SKEWED"
  | "HIGH_CARDINALITY"
  | "IMBALANCE"
  | "CONSTANT_LENGTH"
  | "HIGH_CORRELATION"
  | "DUPLICATES"
  | "EMPTY";

/** One alert: the metric that fired it and the threshold it crossed. */
export interface ProfileAlert {
  /** Null for table-level alerts. */
  readonly column: string | null;
  readonly type: AlertType;
  readonly value: number | null;
  readonly threshold: number | null;
  /** For HIGH_CORRELATION, the correlated columns, comma-separated. */
  readonly detail: string | null;
}

/** The per-column metrics the alert rules read. */
export interface AlertInputs {
  readonly column: string;
  readonly semanticType: SemanticType;
  readonly isString: boolean;
  readonly n: number;
  readonly nDistinct: number;
  readonly pMissing: number;
  readonly pZeros: number | null;
  readonly pInfinite: number | null;
  readonly skewness: number | null;
  readonly imbalance: number | null;
  readonly minLength: number | null;
  readonly maxLength: number | null;
}

/**
 * ydata's per-column rules (`model/alerts.py`): MISSING, UNIQUE (`n_distinct == n`, so a column
 * with nulls is never UNIQUE), CONSTANT, and the numeric and categorical rules by inferred type.
 * HIGH_CARDINALITY departs from ydata on purpose: ydata only tests it on Categorical columns,
 * whose inference already caps n_distinct at the same threshold, so it could never fire on a
 * database string column; here it applies to every string column.
 */
export function columnAlerts(c: AlertInputs, t: ProfileAlertThresholds): ProfileAlert[] {
  if (c.n === 0) return [];
  const alerts: ProfileAlert[] = [];
  const add = (type: AlertType, value: number | null, threshold: number | null) =>
    alerts.push({ column: c.column, type, value, threshold, detail: null });
  if (c.pMissing > t.missing) add("MISSING", c.pMissing, t.missing);
  if (c.semanticType === "unsupported") return alerts;
  if (c.nDistinct === c.n) add("UNIQUE", c.nDistinct, c.n);
  if (c.nDistinct === 1) add("CONSTANT", c.nDistinct, 1);
  if (c.semanticType === "numeric") {
    if (c.skewness !== null && Math.abs(c.skewness) > t.skewness)
      add("SKEWED", c.skewness, t.skewness);
    if (c.pInfinite !== null && c.pInfinite > t.infinite) add("INFINITE", c.pInfinite, t.infinite);
    if (c.pZeros !== null && c.pZeros > t.zeros) add("ZEROS", c.pZeros, t.zeros);
  }
  if (c.isString && c.nDistinct > t.cardinality)
    add("HIGH_CARDINALITY", c.nDistinct, t.cardinality);
  if (c.semanticType === "categorical" && c.isString && c.minLength !== null) {
    if (c.minLength === c.maxLength) add("CONSTANT_LENGTH", c.minLength, null);
  }
  if ((c.semanticType === "categorical" || c.semanticType === "boolean") && c.imbalance !== null) {
    if (c.imbalance > t.imbalance) add("IMBALANCE", c.imbalance, t.imbalance);
  }
  return alerts;
}

/**
 * ydata's table rules: DUPLICATES when `n_duplicates` (distinct duplicated row groups, a count,
 * not a share) is above the threshold, so any duplicate fires it at the default 0.01; EMPTY when
 * the table has no rows.
 */
export function tableAlerts(
  rows: number,
  duplicateGroups: number,
  t: ProfileAlertThresholds,
): ProfileAlert[] {
  const alerts: ProfileAlert[] = [];
  if (duplicateGroups > t.duplicates) {
    alerts.push({
      column: null,
      type: "DUPLICATES",
      value: duplicateGroups,
      threshold: t.duplicates,
      detail: null,
    });
  }
  if (rows === 0)
    alerts.push({ column: null, type: "EMPTY", value: 0, threshold: null, detail: null });
  return alerts;
}

/**
 * ydata's `perform_check_correlation`: a column is highly correlated when
 * `|coefficient| >= threshold` with another column; one alert per column lists its partners.
 */
export function correlationAlerts(
  correlations: readonly CorrelationResult[],
  threshold: number,
): ProfileAlert[] {
  const partners = new Map<string, { fields: string[]; max: number }>();
  const note = (column: string, other: string, value: number) => {
    const entry = partners.get(column) ?? { fields: [], max: 0 };
    entry.fields.push(other);
    entry.max = Math.max(entry.max, Math.abs(value));
    partners.set(column, entry);
  };
  for (const c of correlations) {
    if (c.coefficient === null || Math.abs(c.coefficient) < threshold) continue;
    note(c.columnA, c.columnB, c.coefficient);
    note(c.columnB, c.columnA, c.coefficient);
  }
  return [...partners].map(([column, { fields, max }]) => ({
    column,
    type: "HIGH_CORRELATION" as const,
    value: max,
    threshold,
    detail: fields.join(","),
  }));
}

import type { CheckStatus, MapPercents } from "./data-quality-status.js";

/** An unexpected value and the primary key of the row that holds it. */
export interface UnexpectedSample {
  readonly value: string | null;
  readonly key: string | null;
}

/** An unexpected value and how many rows hold it. */
export interface UnexpectedCount {
  readonly value: string | null;
  readonly count: number;
}

/** One expectation's full result, as stored in `dq_results` and its sample tables. */
export interface CheckResult {
  readonly id: string;
  readonly expectation: string;
  /** Null for snapshot-level checks (data_as_of freshness). */
  readonly table: string | null;
  readonly columns: readonly string[];
  readonly description: string;
  readonly elementCount: number;
  readonly unexpectedCount: number;
  readonly percents: MapPercents;
  readonly observedValue: string | null;
  readonly status: CheckStatus;
  readonly warnThreshold: number | null;
  readonly failThreshold: number | null;
  /** What the thresholds measure: `percent`, `hours`, `days`, `rows` or `columns`. */
  readonly thresholdUnit: string;
  readonly rule: string;
  readonly samples: readonly UnexpectedSample[];
  readonly counts: readonly UnexpectedCount[];
}

/** Percentages of a check that has no column-map semantics (row counts, schema, freshness). */
export const NO_PERCENTS: MapPercents = {
  missingCount: null,
  missingPercent: null,
  unexpectedPercent: null,
  unexpectedPercentTotal: null,
  unexpectedPercentNonmissing: null,
  basis: "none",
};

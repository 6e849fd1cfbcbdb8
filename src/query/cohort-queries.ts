import {
  COHORT_GRANULARITIES,
  COHORT_RETENTION,
  type CohortGranularity,
} from "../analytics/cohorts/cohorts.js";
import type { SqlRunner } from "../snapshot/sql-runner.js";
import { checkInteger, checkOneOf } from "./arg-checks.js";
import { requestDate, requireOrdered } from "./dates.js";
import { cellNumber, cellText } from "./row-values.js";

/** GetCohortRetention's arguments. */
export interface CohortRetentionArgs {
  /** Default month. */
  readonly granularity?: CohortGranularity | undefined;
  /** Cohorts whose period ends on or after this day (YYYY-MM-DD); default all. */
  readonly fromDate?: string;
  /** Cohorts whose period starts on or before this day; default all. */
  readonly toDate?: string;
  /** Periods 0..maxPeriods-1 only; 0 or unset means all. */
  readonly maxPeriods?: number;
}

/** One cell of the retention matrix. */
export interface CohortPeriod {
  readonly period: number;
  readonly periodStart: string;
  readonly activeCustomers: number;
  /** activeCustomers / cohort size. */
  readonly retention: number;
  /** Value of relationships the cohort started in the period, an exact decimal string. */
  readonly revenue: string;
}

/** One cohort: its first period, size and periods (zeros included). */
export interface Cohort {
  readonly cohortStart: string;
  readonly size: number;
  readonly periods: CohortPeriod[];
}

/** GetCohortRetention's answer, oldest cohort first. */
export interface CohortRetentionResult {
  readonly granularity: CohortGranularity;
  readonly cohorts: Cohort[];
}

/**
 * The retention matrix: customers grouped by the period (month or ISO week) of their first
 * relationship, and for each later period the share who started a relationship in it. Always a
 * lookup of the precomputed `cohort_activity`, which holds every cohort and period.
 */
export async function getCohortRetention(
  db: SqlRunner,
  args: CohortRetentionArgs,
): Promise<CohortRetentionResult> {
  const granularity = checkOneOf(args.granularity ?? "month", COHORT_GRANULARITIES, "granularity");
  const from = requestDate(args.fromDate ?? "", "from_date");
  const to = requestDate(args.toDate ?? "", "to_date");
  requireOrdered(from, to, "from_date", "to_date");
  const maxPeriods = checkInteger(args.maxPeriods ?? 0, "max_periods", 0, 1000);
  const rows = await db.all(COHORT_RETENTION, [
    granularity,
    from,
    from,
    to,
    to,
    maxPeriods,
    maxPeriods,
  ]);
  const cohorts: Cohort[] = [];
  for (const row of rows) {
    const cohortStart = cellText(row.cohort_start) ?? "";
    let cohort = cohorts.at(-1);
    if (cohort?.cohortStart !== cohortStart) {
      cohort = { cohortStart, size: cellNumber(row.size), periods: [] };
      cohorts.push(cohort);
    }
    cohort.periods.push({
      period: cellNumber(row.period),
      periodStart: cellText(row.period_start) ?? "",
      activeCustomers: cellNumber(row.active_customers),
      retention: cellNumber(row.retention),
      revenue: cellText(row.revenue) ?? "0.00",
    });
  }
  return { granularity, cohorts };
}

import type { SqlRow } from "../snapshot/sql-runner.js";
import { cellNumber, cellText } from "./row-values.js";

/** One metric in one period with its change against the previous period. */
export interface TrendValue {
  readonly metric: string;
  /** Null when undefined (a churn rate with nothing open). */
  readonly value: number | null;
  /** Exact text: a decimal for revenue, an integer for counts; null for rates. */
  readonly exactValue: string | null;
  readonly previousValue: number | null;
  readonly change: number | null;
  /** Exact text of the change, like exactValue. */
  readonly exactChange: string | null;
  /** 100 * change / previousValue; null when previousValue is 0 or undefined. */
  readonly changePercent: number | null;
}

const COUNT_COLUMN: Readonly<Record<string, string>> = {
  active_customers: "active_customers",
  new_customers: "new_customers",
  new_relationships: "new_relationships",
  ended_relationships: "ended_relationships",
};

/**
 * Builds one metric's value from a series row (current and `prev_` measures). Revenue keeps its
 * exact decimal and exact change (computed in SQL); counts are exact integers; the churn rate
 * is ended / open at the start of the period, undefined when nothing was open.
 */
export function trendValue(metric: string, row: SqlRow): TrendValue {
  if (metric === "revenue") {
    return withChange(metric, cellNumber(row.revenue), numberOrNull(row.prev_revenue), {
      exactValue: cellText(row.revenue),
      exactChange: cellText(row.revenue_change),
    });
  }
  if (metric === "relationship_churn_rate") {
    const rate = churnRate(row.ended_relationships, row.open_at_start);
    const previous = churnRate(row.prev_ended_relationships, row.prev_open_at_start);
    return withChange(metric, rate, previous, { exactValue: null, exactChange: null });
  }
  const column = COUNT_COLUMN[metric] ?? metric;
  const value = cellNumber(row[column]);
  const previous = numberOrNull(row[`prev_${column}`]);
  return withChange(metric, value, previous, {
    exactValue: String(value),
    exactChange: previous === null ? null : String(value - previous),
  });
}

/**
 * A value of a partial period without its change: part of a period against the whole of the
 * one before would read as a collapse.
 */
export function withoutChange(value: TrendValue): TrendValue {
  return { ...value, change: null, exactChange: null, changePercent: null };
}

function withChange(
  metric: string,
  value: number | null,
  previous: number | null,
  exact: { exactValue: string | null; exactChange: string | null },
): TrendValue {
  const change = value === null || previous === null ? null : value - previous;
  return {
    metric,
    value,
    exactValue: exact.exactValue,
    previousValue: previous,
    change,
    exactChange: exact.exactChange,
    changePercent:
      change === null || previous === null || previous === 0 ? null : (100 * change) / previous,
  };
}

function numberOrNull(value: SqlRow[string] | undefined): number | null {
  return value === null || value === undefined ? null : cellNumber(value);
}

function churnRate(
  ended: SqlRow[string] | undefined,
  open: SqlRow[string] | undefined,
): number | null {
  const opened = numberOrNull(open);
  return opened === null || opened === 0 ? null : cellNumber(ended) / opened;
}

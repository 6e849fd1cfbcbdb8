import { VALIDATION_CHECKS } from "../../schema/validation-spec.js";
import { inSet, notInFuture, notNull, type RowCheck, unique } from "./data-quality-check-spec.js";
import type { ResolvedDataQualityOptions } from "./data-quality-options.js";
import { relationshipChecks } from "./data-quality-relationship-checks.js";

export type { ColumnRef, RowCheck, RowCheckKind } from "./data-quality-check-spec.js";

/**
 * The row-level checks shipped for the three tables (reference §5.3): keys not null and unique,
 * required columns present, value sets, ranges, cross-column and cross-table consistency,
 * duplicate holdings and orphans. `today` is the build's date (UTC, `YYYY-MM-DD`).
 */
export function rowChecks(opts: ResolvedDataQualityOptions, today: string): RowCheck[] {
  const checks: RowCheck[] = [];
  // Keys and required columns, as the validation spec declares them (same ids, so a check that
  // does not block the sync is this report's row).
  for (const check of VALIDATION_CHECKS) {
    if (check.column === undefined) continue;
    if (check.kind === "unique") {
      checks.push(unique(check.table, [check.column], check.id, check.description));
    } else if (check.kind === "not_null") {
      checks.push(notNull(check.table, check.column));
    }
  }
  checks.push(
    inSet("customers", "status", opts.valueSets.customerStatus),
    notInFuture("customers", "registration_date", today),
    inSet("products", "status", opts.valueSets.productStatus),
    notInFuture("products", "launch_date", today),
    inSet("customer_products", "relationship_type", opts.valueSets.relationshipType),
    ...relationshipChecks(today),
  );
  return checks;
}

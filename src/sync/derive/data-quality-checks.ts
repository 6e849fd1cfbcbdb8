import { BASE_TABLE_NAMES, requiredColumns } from "../../schema/schema-sql.js";
import {
  inSet,
  notInFuture,
  notNull,
  type RowCheck,
  TABLE_KEYS,
  unique,
} from "./data-quality-check-spec.js";
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
  for (const table of BASE_TABLE_NAMES) {
    const key = TABLE_KEYS[table];
    checks.push(unique(table, [key], `${table}.${key}.unique`, `${table}.${key} is a primary key`));
    for (const column of requiredColumns(table)) checks.push(notNull(table, column));
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

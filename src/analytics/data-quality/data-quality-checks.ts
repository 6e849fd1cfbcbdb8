import type { BaseTable } from "../../source/table-feed.js";
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

/** Required (non-nullable) columns of each table; end_date stays open for current holdings. */
const REQUIRED_COLUMNS: Readonly<Record<BaseTable, readonly string[]>> = {
  customers: [
    "customer_id",
    "customer_name",
    "customer_type",
    "region",
    "registration_date",
    "status",
  ],
  products: [
    "product_id",
    "product_name",
    "product_category",
    "product_type",
    "launch_date",
    "status",
  ],
  customer_products: [
    "relationship_id",
    "customer_id",
    "product_id",
    "relationship_type",
    "start_date",
    "value",
  ],
};

/**
 * The row-level checks shipped for the three tables (reference §5.3): keys not null and unique,
 * required columns present, value sets, ranges, cross-column and cross-table consistency,
 * duplicate holdings and orphans. `today` is the build's date (UTC, `YYYY-MM-DD`).
 */
export function rowChecks(opts: ResolvedDataQualityOptions, today: string): RowCheck[] {
  const checks: RowCheck[] = [];
  for (const table of Object.keys(REQUIRED_COLUMNS) as BaseTable[]) {
    const key = TABLE_KEYS[table];
    checks.push(unique(table, [key], `${table}.${key}.unique`, `${table}.${key} is a primary key`));
    for (const column of REQUIRED_COLUMNS[table]) checks.push(notNull(table, column));
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

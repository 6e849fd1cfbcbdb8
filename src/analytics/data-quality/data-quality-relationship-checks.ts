import type { BaseTable } from "../../source/table-feed.js";
import {
  base,
  type ColumnRef,
  notInFuture,
  type RowCheck,
  text,
  unique,
} from "./data-quality-check-spec.js";

const RELATIONSHIPS_WITH_CUSTOMERS = `customer_products AS cp LEFT JOIN (
    SELECT customer_id, min(registration_date) AS registration_date FROM customers
    WHERE customer_id IS NOT NULL GROUP BY customer_id
  ) AS c ON c.customer_id = cp.customer_id`;

const RELATIONSHIPS_WITH_PRODUCTS = `customer_products AS cp LEFT JOIN (
    SELECT product_id, min(launch_date) AS launch_date FROM products
    WHERE product_id IS NOT NULL GROUP BY product_id
  ) AS p ON p.product_id = cp.product_id`;

/** The combination that should not repeat: the same holding recorded twice. */
const RELATIONSHIP_NATURAL_KEY = ["customer_id", "product_id", "relationship_type", "start_date"];

function crossTable(
  id: string,
  expectation: string,
  description: string,
  from: string,
  requires: readonly ColumnRef[],
  parts: { evaluated: string; unexpected: string; value: string; countValues: boolean },
): RowCheck {
  return {
    ...base(
      "customer_products",
      requires.filter((r) => r.table === "customer_products").map((r) => r.column),
    ),
    id,
    expectation,
    description,
    kind: "map",
    from,
    requires,
    key: "CAST(cp.relationship_id AS VARCHAR)",
    order: "cp.rowid",
    ...parts,
  };
}

/** A table customer_products refers to, as its cross-table checks join it. */
interface JoinedSide {
  readonly table: BaseTable;
  /** The column holdings refer to it by, in both tables. */
  readonly key: string;
  /** The date a holding may not start before (registration, launch). */
  readonly date: string;
  /** The joined side's alias in `from`. */
  readonly alias: string;
  /** What one of its rows is, in a description ("its customer's ..."). */
  readonly owner: string;
  /** The last part of the date check's id. */
  readonly check: string;
  readonly from: string;
}

/**
 * The two checks each referred-to table gets, alike for customers and products: every holding's
 * key exists there, and a holding starts on or after that row's date.
 */
function joinedChecks(side: JoinedSide): RowCheck[] {
  const cp = (column: string): ColumnRef => ({ table: "customer_products", column });
  const joined = (column: string): ColumnRef => ({ table: side.table, column });
  const { key, date, alias } = side;
  return [
    crossTable(
      `customer_products.${key}.foreign_key`,
      "expect_column_values_to_be_present_in_other_table",
      `every customer_products.${key} exists in ${side.table}`,
      side.from,
      [cp(key), cp("relationship_id"), joined(key), joined(date)],
      {
        evaluated: `cp.${key} IS NOT NULL`,
        unexpected: `${alias}.${key} IS NULL`,
        value: text(`cp.${key}`),
        countValues: true,
      },
    ),
    crossTable(
      `customer_products.start_date.${side.check}`,
      "expect_column_pair_values_a_to_be_greater_than_b",
      `a relationship starts on or after its ${side.owner}'s ${date}`,
      side.from,
      [cp(key), cp("start_date"), cp("relationship_id"), joined(key), joined(date)],
      {
        evaluated: `cp.start_date IS NOT NULL AND ${alias}.${date} IS NOT NULL`,
        unexpected: `cp.start_date < ${alias}.${date}`,
        value: `concat('start_date=', cp.start_date, ', ${date}=', ${alias}.${date})`,
        countValues: false,
      },
    ),
  ];
}

/**
 * The checks on customer_products: value range, dates, duplicate holdings, and the cross-table
 * checks (orphans, start before registration or launch). The joined sides are grouped by key
 * first, so a duplicated customer or product never multiplies rows, and orphans are found with a
 * LEFT JOIN rather than `NOT IN`, which a single NULL key would turn into "no orphans".
 */
export function relationshipChecks(today: string): RowCheck[] {
  return [
    {
      ...base("customer_products", ["value"]),
      id: "customer_products.value.non_negative",
      expectation: "expect_column_values_to_be_between",
      description: "customer_products.value is at least 0",
      kind: "map",
      evaluated: `"value" IS NOT NULL`,
      unexpected: `"value" < 0`,
      value: text(`"value"`),
    },
    notInFuture("customer_products", "start_date", today),
    {
      ...base("customer_products", ["start_date", "end_date"]),
      id: "customer_products.end_date.not_before_start",
      expectation: "expect_column_pair_values_a_to_be_greater_than_b",
      description: "customer_products.end_date is on or after start_date (or_equal=True)",
      kind: "map",
      evaluated: "end_date IS NOT NULL AND start_date IS NOT NULL",
      unexpected: "end_date < start_date",
      value: "concat('start_date=', start_date, ', end_date=', end_date)",
      countValues: false,
    },
    unique(
      "customer_products",
      RELATIONSHIP_NATURAL_KEY,
      "customer_products.duplicates",
      `no two relationships share ${RELATIONSHIP_NATURAL_KEY.join(", ")}`,
    ),
    ...joinedChecks({
      table: "customers",
      key: "customer_id",
      date: "registration_date",
      alias: "c",
      owner: "customer",
      check: "after_registration",
      from: RELATIONSHIPS_WITH_CUSTOMERS,
    }),
    ...joinedChecks({
      table: "products",
      key: "product_id",
      date: "launch_date",
      alias: "p",
      owner: "product",
      check: "after_launch",
      from: RELATIONSHIPS_WITH_PRODUCTS,
    }),
  ];
}

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

/**
 * The checks on customer_products: value range, dates, duplicate holdings, and the cross-table
 * checks (orphans, start before registration or launch). The joined sides are grouped by key
 * first, so a duplicated customer or product never multiplies rows, and orphans are found with a
 * LEFT JOIN rather than `NOT IN`, which a single NULL key would turn into "no orphans".
 */
export function relationshipChecks(today: string): RowCheck[] {
  const cp = (column: string): ColumnRef => ({ table: "customer_products", column });
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
    crossTable(
      "customer_products.customer_id.foreign_key",
      "expect_column_values_to_be_present_in_other_table",
      "every customer_products.customer_id exists in customers",
      RELATIONSHIPS_WITH_CUSTOMERS,
      [
        cp("customer_id"),
        cp("relationship_id"),
        { table: "customers", column: "customer_id" },
        { table: "customers", column: "registration_date" },
      ],
      {
        evaluated: "cp.customer_id IS NOT NULL",
        unexpected: "c.customer_id IS NULL",
        value: text("cp.customer_id"),
        countValues: true,
      },
    ),
    crossTable(
      "customer_products.start_date.after_registration",
      "expect_column_pair_values_a_to_be_greater_than_b",
      "a relationship starts on or after its customer's registration_date",
      RELATIONSHIPS_WITH_CUSTOMERS,
      [
        cp("customer_id"),
        cp("start_date"),
        cp("relationship_id"),
        { table: "customers", column: "customer_id" },
        { table: "customers", column: "registration_date" },
      ],
      {
        evaluated: "cp.start_date IS NOT NULL AND c.registration_date IS NOT NULL",
        unexpected: "cp.start_date < c.registration_date",
        value: "concat('start_date=', cp.start_date, ', registration_date=', c.registration_date)",
        countValues: false,
      },
    ),
    crossTable(
      "customer_products.product_id.foreign_key",
      "expect_column_values_to_be_present_in_other_table",
      "every customer_products.product_id exists in products",
      RELATIONSHIPS_WITH_PRODUCTS,
      [
        cp("product_id"),
        cp("relationship_id"),
        { table: "products", column: "product_id" },
        { table: "products", column: "launch_date" },
      ],
      {
        evaluated: "cp.product_id IS NOT NULL",
        unexpected: "p.product_id IS NULL",
        value: text("cp.product_id"),
        countValues: true,
      },
    ),
    crossTable(
      "customer_products.start_date.after_launch",
      "expect_column_pair_values_a_to_be_greater_than_b",
      "a relationship starts on or after its product's launch_date",
      RELATIONSHIPS_WITH_PRODUCTS,
      [
        cp("product_id"),
        cp("start_date"),
        cp("relationship_id"),
        { table: "products", column: "product_id" },
        { table: "products", column: "launch_date" },
      ],
      {
        evaluated: "cp.start_date IS NOT NULL AND p.launch_date IS NOT NULL",
        unexpected: "cp.start_date < p.launch_date",
        value: "concat('start_date=', cp.start_date, ', launch_date=', p.launch_date)",
        countValues: false,
      },
    ),
  ];
}

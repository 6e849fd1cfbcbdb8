import { AppError } from "../app-error.js";
import { aggregatedList, selectList } from "../schema/schema-sql.js";
import type { SnapshotReader } from "../snapshot/snapshot-reader.js";
import type { SqlRow } from "../snapshot/sql-runner.js";
import { CUSTOMER_INDEX } from "./customer-index.js";
import { requestDate, requireOrdered, todayUtc } from "./dates.js";
import { CUSTOMER_LIST_INDEX, type CustomerListIndex } from "./memory/customer-list-index.js";
import { decodePageToken, effectivePageSize, encodePageToken, pageScope } from "./page-token.js";
import type { Reader } from "./reader.js";
import {
  type CustomerRow,
  type CustomerSummaryRow,
  toCustomer,
  toCustomerSummary,
} from "./rows.js";

/** Every customers column, from the schema module. */
const CUSTOMER_COLUMNS = selectList("customers", "c");

/**
 * Customers with the summary of their holdings, for the ids `filter` matches (`= ?` or
 * `IN (?, ...)`); `?` 1–2 are the as-of day, then the ids for the relationships, then the ids
 * for the customers. The relationships are grouped per product first, so the distinct product
 * counts are plain counts, then per customer by its id alone: a third of the CPU of grouping the
 * join by every customer column with COUNT(DISTINCT) (docs/performance.md). Written in the SQL
 * that DuckDB and Snowflake share (CASE rather than FILTER), so the snapshot and the live path
 * ask the very same question.
 */
function customerSummarySql(filter: string): string {
  return `SELECT c.customer_id, ${aggregatedList("customers", "c", "min")},
    count(CASE WHEN p.active = 1 THEN p.product_id END)::INTEGER AS active_products,
    count(p.product_id)::INTEGER AS total_products,
    coalesce(sum(p.relationships), 0)::INTEGER AS relationships,
    coalesce(sum(p.total_value), 0)::DECIMAL(38,2) AS total_value,
    min(p.first_start_date) AS first_start_date,
    max(p.last_start_date) AS last_start_date
  FROM customers c LEFT JOIN (
    SELECT r.customer_id, r.product_id,
      max(CASE WHEN r.start_date <= ?::DATE
        AND (r.end_date IS NULL OR r.end_date >= ?::DATE) THEN 1 ELSE 0 END) AS active,
      count(r.relationship_id) AS relationships, sum(r."value") AS total_value,
      min(r.start_date) AS first_start_date, max(r.start_date) AS last_start_date
    FROM customer_products r WHERE r.customer_id ${filter}
    GROUP BY r.customer_id, r.product_id) p ON p.customer_id = c.customer_id
  WHERE c.customer_id ${filter}
  GROUP BY c.customer_id`;
}

const GET_CUSTOMER = customerSummarySql("= ?");

/** One placeholder per id: Snowflake binds no arrays, and the count is never a request value. */
const BATCH_GET_CUSTOMERS = (ids: number) =>
  customerSummarySql(`IN (${Array.from({ length: ids }, () => "?").join(", ")})`);

/**
 * ListCustomers' page; with `bySegment`, only customers whose precomputed RFM segment is the
 * last filter `?` (the snapshot's `customer_rfm`, which the live source does not have).
 */
function listCustomersSql(bySegment: boolean): string {
  return `SELECT ${CUSTOMER_COLUMNS} FROM customers c
  WHERE (?::VARCHAR IS NULL OR lower(c.region) = lower(?))
    AND (?::VARCHAR IS NULL OR lower(c.customer_type) = lower(?))
    AND (?::VARCHAR IS NULL OR lower(c.status) = lower(?))
    AND (?::DATE IS NULL OR c.registration_date >= ?::DATE)
    AND (?::DATE IS NULL OR c.registration_date <= ?::DATE)
    AND (?::VARCHAR IS NULL OR contains(lower(c.customer_name), lower(?)))
    AND (?::VARCHAR IS NULL OR c.customer_id > ?)
    ${bySegment ? "AND c.customer_id IN (SELECT customer_id FROM customer_rfm WHERE segment = ?)" : ""}
  ORDER BY c.customer_id
  LIMIT ?`;
}

const LIST_CUSTOMERS = listCustomersSql(false);
const LIST_CUSTOMERS_BY_SEGMENT = listCustomersSql(true);

/** A customer together with the summary of their holdings. */
export interface CustomerDetail {
  readonly customer: CustomerRow;
  readonly summary: CustomerSummaryRow;
}

/** Looks up one customer and sums up their holdings as of today. NOT_FOUND when unknown. */
export async function getCustomer(
  db: Reader,
  args: { customerId: string; today?: string },
): Promise<CustomerDetail> {
  const asOf = args.today ?? todayUtc();
  const [row] = await db.all(GET_CUSTOMER, [asOf, asOf, args.customerId, args.customerId]);
  if (row === undefined) throw customerNotFound(args.customerId);
  return detail(row, asOf);
}

/**
 * {@link getCustomer} on the snapshot: from its in-memory {@link CUSTOMER_INDEX} once that is
 * built, by SQL until then (the first seconds after a swap at a million customers).
 */
export async function getCustomerFromSnapshot(
  db: SnapshotReader,
  args: { customerId: string; today?: string },
): Promise<CustomerDetail> {
  const index = db.memo.built(CUSTOMER_INDEX);
  if (index === undefined) return getCustomer(db, args);
  const found = index.detail(args.customerId, args.today ?? todayUtc());
  if (found === undefined) throw customerNotFound(args.customerId);
  return found;
}

/** Looks up many customers in one query, returning them in request order plus the unknown ids. */
export async function batchGetCustomers(
  db: Reader,
  args: { customerIds: readonly string[]; today?: string },
): Promise<{ customers: CustomerDetail[]; missing: string[] }> {
  const asOf = args.today ?? todayUtc();
  const ids = [...new Set(args.customerIds)];
  const rows = await db.all(BATCH_GET_CUSTOMERS(ids.length), [asOf, asOf, ...ids, ...ids]);
  const byId = new Map(rows.map((row) => [String(row.customer_id), row]));
  const customers: CustomerDetail[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const row = byId.get(id);
    if (row === undefined) missing.push(id);
    else customers.push(detail(row, asOf));
  }
  return { customers, missing };
}

/** {@link batchGetCustomers} on the snapshot, like {@link getCustomerFromSnapshot}. */
export async function batchGetCustomersFromSnapshot(
  db: SnapshotReader,
  args: { customerIds: readonly string[]; today?: string },
): Promise<{ customers: CustomerDetail[]; missing: string[] }> {
  const index = db.memo.built(CUSTOMER_INDEX);
  if (index === undefined) return batchGetCustomers(db, args);
  const asOf = args.today ?? todayUtc();
  const customers: CustomerDetail[] = [];
  const missing: string[] = [];
  for (const id of new Set(args.customerIds)) {
    const found = index.detail(id, asOf);
    if (found === undefined) missing.push(id);
    else customers.push(found);
  }
  return { customers, missing };
}

/** Filters for {@link listCustomers}; empty strings mean "no filter", as in the proto. */
export interface ListCustomersArgs {
  readonly region: string;
  readonly customerType: string;
  readonly status: string;
  readonly registeredFrom: string;
  readonly registeredTo: string;
  readonly nameContains: string;
  /** The RFM segment's name (`champions`, ...); "" or absent: any (snapshot only). */
  readonly segment?: string;
  readonly pageSize: number;
  readonly pageToken: string;
}

/** One page of customers in id order, continued by keyset on customer_id. */
export async function listCustomers(
  db: Reader,
  args: ListCustomersArgs,
  memory?: CustomerListIndex,
): Promise<{ customers: CustomerRow[]; nextPageToken: string }> {
  const from = requestDate(args.registeredFrom, "registered_from");
  const to = requestDate(args.registeredTo, "registered_to");
  requireOrdered(from, to, "registered_from", "registered_to");
  const segment = args.segment ?? "";
  const filters = [
    args.region,
    args.customerType,
    args.status,
    from,
    to,
    args.nameContains,
  ] as const;
  const scope = pageScope("ListCustomers", segment === "" ? filters : [...filters, segment]);
  const [after = null] = decodePageToken(args.pageToken, scope, 1) ?? [];
  const pageSize = effectivePageSize(args.pageSize);
  let page: CustomerRow[];
  let more: boolean;
  if (memory !== undefined) {
    const [region, customerType, status, registeredFrom, registeredTo, nameContains] =
      filters.map(orNull);
    ({ customers: page, more } = memory.page(
      {
        region: region ?? null,
        customerType: customerType ?? null,
        status: status ?? null,
        registeredFrom: registeredFrom ?? null,
        registeredTo: registeredTo ?? null,
        nameContains: nameContains ?? null,
        segment: orNull(segment),
      },
      after,
      pageSize,
    ));
  } else {
    const params = [...filters.flatMap((f) => [orNull(f), orNull(f)]), after, after];
    const rows =
      segment === ""
        ? await db.all(LIST_CUSTOMERS, [...params, pageSize + 1])
        : await db.all(LIST_CUSTOMERS_BY_SEGMENT, [...params, segment, pageSize + 1]);
    page = rows.slice(0, pageSize).map(toCustomer);
    more = rows.length > pageSize;
  }
  const last = page.at(-1);
  return {
    customers: page,
    nextPageToken: more && last !== undefined ? encodePageToken(scope, [last.customerId]) : "",
  };
}

/**
 * {@link listCustomers} on the snapshot: from the in-memory {@link CUSTOMER_LIST_INDEX} once
 * it is built, by SQL until then.
 */
export function listCustomersFromSnapshot(
  db: SnapshotReader,
  args: ListCustomersArgs,
): ReturnType<typeof listCustomers> {
  return listCustomers(db, args, db.memo.built(CUSTOMER_LIST_INDEX));
}

/**
 * {@link listCustomers} of the live source, which has no RFM scores: a segment filter is
 * UNAVAILABLE there, so the router answers it from the snapshot when the caller allows.
 */
export function listCustomersLive(
  db: Reader,
  args: ListCustomersArgs,
): ReturnType<typeof listCustomers> {
  if ((args.segment ?? "") !== "") {
    return Promise.reject(
      new AppError("unavailable", "the segment filter needs the snapshot's RFM scores", {
        field: "segment",
      }),
    );
  }
  return listCustomers(db, args);
}

function detail(row: SqlRow, asOf: string): CustomerDetail {
  return { customer: toCustomer(row), summary: toCustomerSummary(row, asOf) };
}

function customerNotFound(customerId: string): AppError {
  return new AppError("not_found", `customer ${JSON.stringify(customerId)} does not exist`, {
    field: "customer_id",
  });
}

function orNull(value: string | null): string | null {
  return value === "" ? null : value;
}

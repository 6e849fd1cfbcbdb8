import { AppError } from "../app-error.js";
import type { SnapshotReader } from "../snapshot/snapshot-reader.js";
import type { SqlRow } from "../snapshot/sql-runner.js";
import { isCalendarDate, requestDate, todayUtc } from "./dates.js";
import { dayOf } from "./memory/cells.js";
import { PORTFOLIO_INDEX, type PortfolioIndex } from "./memory/portfolio-index.js";
import { decodePageToken, effectivePageSize, encodePageToken, pageScope } from "./page-token.js";
import type { Reader } from "./reader.js";
import { count, money, text } from "./rows.js";

/** Whether relationship `r` is active on the day bound to the two `?` it contains. */
const ACTIVE = "(r.start_date <= ?::DATE AND (r.end_date IS NULL OR r.end_date >= ?::DATE))";

/** The sort key of a holding: newest start first; a missing start sorts last. */
const SORT_DATE = "coalesce(r.start_date, DATE '0001-01-01')";

const CUSTOMER_EXISTS = "SELECT 1 AS found FROM customers WHERE customer_id = ?";

/** `?` 1–2 as-of; 3 customer; 4–5 as-of for active_only, 6 active_only; 7–10 keyset; 11 limit. */
const HOLDINGS = `SELECT r.relationship_id, r.product_id, p.product_name, p.product_category,
    r.relationship_type, r.start_date, r.end_date, r."value", ${ACTIVE} AS active,
    CAST(${SORT_DATE} AS VARCHAR) AS sort_date
  FROM customer_products r LEFT JOIN products p ON p.product_id = r.product_id
  WHERE r.customer_id = ?
    AND (NOT ?::BOOLEAN OR ${ACTIVE})
    AND (?::DATE IS NULL OR ${SORT_DATE} < ?::DATE
         OR (${SORT_DATE} = ?::DATE AND r.relationship_id > ?))
  ORDER BY ${SORT_DATE} DESC, r.relationship_id
  LIMIT ?`;

/** Totals per category and, in the row where `is_total`, the grand total. `?` 1–4 as-of, 5 customer. */
const TOTALS = `SELECT p.product_category, grouping(p.product_category) = 1 AS is_total,
    count(*)::INTEGER AS holdings,
    count(CASE WHEN ${ACTIVE} THEN 1 END)::INTEGER AS active_holdings,
    coalesce(sum(r."value"), 0)::DECIMAL(38,2) AS total_value,
    coalesce(sum(CASE WHEN ${ACTIVE} THEN r."value" END), 0)::DECIMAL(38,2) AS active_value
  FROM customer_products r LEFT JOIN products p ON p.product_id = r.product_id
  WHERE r.customer_id = ?
  GROUP BY GROUPING SETS ((p.product_category), ())
  ORDER BY is_total, total_value DESC, p.product_category NULLS LAST`;

/** One relationship of a customer's portfolio. */
export interface HoldingRow {
  readonly relationshipId: string;
  readonly productId: string;
  readonly productName: string;
  readonly productCategory: string;
  readonly relationshipType: string;
  readonly startDate: string;
  readonly endDate: string;
  readonly value: string;
  readonly active: boolean;
}

/** Holdings added up for a category, or for everything when `productCategory` is "". */
export interface PortfolioTotalRow {
  readonly productCategory: string;
  readonly holdings: number;
  readonly activeHoldings: number;
  readonly totalValue: string;
  readonly activeValue: string;
}

/** Arguments of {@link getCustomerPortfolio}; empty `asOf` means today. */
export interface PortfolioArgs {
  readonly customerId: string;
  readonly asOf: string;
  readonly activeOnly: boolean;
  readonly pageSize: number;
  readonly pageToken: string;
  readonly today?: string;
}

/** A page of holdings with totals over all of them. */
export interface Portfolio {
  readonly customerId: string;
  readonly asOf: string;
  readonly holdings: HoldingRow[];
  readonly categoryTotals: PortfolioTotalRow[];
  readonly totals: PortfolioTotalRow;
  readonly nextPageToken: string;
}

/**
 * A customer's holdings, newest first, with totals by category and overall on the as-of day.
 * NOT_FOUND when the customer is unknown; a customer with no holdings gets empty lists and
 * zero totals.
 */
export function getCustomerPortfolio(db: Reader, args: PortfolioArgs): Promise<Portfolio> {
  return portfolio(db, args, async (customerId) => {
    return (await db.all(CUSTOMER_EXISTS, [customerId])).length > 0;
  });
}

/**
 * {@link getCustomerPortfolio} on the snapshot: from the in-memory {@link PORTFOLIO_INDEX} once
 * it is built (no statement at all), by the same SQL until then.
 */
export function getCustomerPortfolioFromSnapshot(
  db: SnapshotReader,
  args: PortfolioArgs,
): Promise<Portfolio> {
  const index = db.memo.built(PORTFOLIO_INDEX);
  if (index === undefined) return getCustomerPortfolio(db, args);
  return portfolio(db, args, async (customerId) => index.has(customerId), fromMemory(index));
}

/** What a page is read with once the request is checked: the page key decoded, the size set. */
interface PageRequest {
  readonly asOf: string;
  readonly afterDate: string | null;
  readonly afterId: string | null;
  readonly pageSize: number;
}

/** The rows of a page (up to pageSize + 1) and the totals, by SQL or from memory. */
type ReadPage = (
  args: PortfolioArgs,
  page: PageRequest,
) => Promise<Omit<Portfolio, "customerId" | "asOf" | "nextPageToken"> & { last?: string[] }>;

async function portfolio(
  db: Reader,
  args: PortfolioArgs,
  exists: (customerId: string) => Promise<boolean>,
  read: ReadPage = bySql(db),
): Promise<Portfolio> {
  const asOf = requestDate(args.asOf, "as_of", args.today ?? todayUtc());
  const scope = pageScope("GetCustomerPortfolio", [args.customerId, asOf, args.activeOnly]);
  const [afterDate = null, afterId = null] =
    decodePageToken(
      args.pageToken,
      scope,
      2,
      ([date = null]) => date === null || isCalendarDate(date),
    ) ?? [];
  if (!(await exists(args.customerId))) {
    throw new AppError("not_found", `customer ${JSON.stringify(args.customerId)} does not exist`, {
      field: "customer_id",
    });
  }
  const pageSize = effectivePageSize(args.pageSize);
  const { last, ...page } = await read(args, { asOf, afterDate, afterId, pageSize });
  return {
    customerId: args.customerId,
    asOf,
    ...page,
    nextPageToken: last === undefined ? "" : encodePageToken(scope, last),
  };
}

function bySql(db: Reader): ReadPage {
  return async (args, { asOf, afterDate, afterId, pageSize }) => {
    const [rows, totals] = await Promise.all([
      db.all(HOLDINGS, [
        asOf,
        asOf,
        args.customerId,
        args.activeOnly,
        asOf,
        asOf,
        afterDate,
        afterDate,
        afterDate,
        afterId,
        pageSize + 1,
      ]),
      db.all(TOTALS, [asOf, asOf, asOf, asOf, args.customerId]),
    ]);
    const page = rows.slice(0, pageSize);
    const last = page.at(-1);
    const grand = totals.find((row) => row.is_total === true);
    return {
      holdings: page.map(toHolding),
      categoryTotals: totals.filter((row) => row.is_total !== true).map(toTotal),
      totals: grand === undefined ? emptyTotal() : { ...toTotal(grand), productCategory: "" },
      ...(rows.length > pageSize && last !== undefined
        ? { last: [text(last.sort_date), text(last.relationship_id)] }
        : {}),
    };
  };
}

function fromMemory(index: PortfolioIndex): ReadPage {
  return async (args, { asOf, afterDate, afterId, pageSize }) => {
    const day = dayOf(asOf);
    const after =
      afterDate === null ? undefined : { day: dayOf(afterDate), relationshipId: afterId };
    const page = index.page(args.customerId, day, args.activeOnly, after, pageSize);
    return {
      holdings: page.holdings,
      ...index.totals(args.customerId, day),
      ...(page.more && page.last !== undefined ? { last: [...page.last] } : {}),
    };
  };
}

function toHolding(row: SqlRow): HoldingRow {
  return {
    relationshipId: text(row.relationship_id),
    productId: text(row.product_id),
    productName: text(row.product_name),
    productCategory: text(row.product_category),
    relationshipType: text(row.relationship_type),
    startDate: text(row.start_date),
    endDate: text(row.end_date),
    value: text(row.value),
    active: row.active === true,
  };
}

function toTotal(row: SqlRow): PortfolioTotalRow {
  return {
    productCategory: text(row.product_category),
    holdings: count(row.holdings),
    activeHoldings: count(row.active_holdings),
    totalValue: money(row.total_value),
    activeValue: money(row.active_value),
  };
}

function emptyTotal(): PortfolioTotalRow {
  return {
    productCategory: "",
    holdings: 0,
    activeHoldings: 0,
    totalValue: "0.00",
    activeValue: "0.00",
  };
}

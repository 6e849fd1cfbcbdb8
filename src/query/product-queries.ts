import { AppError } from "../app-error.js";
import { selectList } from "../schema/schema-sql.js";
import type { SnapshotReader } from "../snapshot/snapshot-reader.js";
import { todayUtc } from "./dates.js";
import { dayOf } from "./memory/cells.js";
import { PRODUCT_HOLDERS_INDEX, type ProductHoldersIndex } from "./memory/product-holders-index.js";
import { decodePageToken, effectivePageSize, encodePageToken, pageScope } from "./page-token.js";
import type { Question, QuestionOf } from "./read-router.js";
import type { Reader } from "./reader.js";
import { count, money, type ProductRow, text, toProduct } from "./rows.js";

/** Every products column, from the schema module. */
const PRODUCT_COLUMNS = selectList("products", "p");

/** `?` 1–2 are the as-of day, `?` 3 the product id. */
const GET_PRODUCT = `SELECT ${PRODUCT_COLUMNS},
    count(DISTINCT CASE WHEN h.start_date <= ?::DATE
      AND (h.end_date IS NULL OR h.end_date >= ?::DATE) THEN h.customer_id END)::INTEGER
      AS active_customers,
    count(DISTINCT h.customer_id)::INTEGER AS total_customers,
    count(h.relationship_id)::INTEGER AS relationships,
    coalesce(sum(h."value"), 0)::DECIMAL(38,2) AS total_value
  FROM products p LEFT JOIN customer_products h ON h.product_id = p.product_id
  WHERE p.product_id = ?
  GROUP BY ALL`;

/** The product alone, for a summary summed in memory: `?` the product id. */
const PRODUCT_ROW = `SELECT ${PRODUCT_COLUMNS} FROM products p WHERE p.product_id = ?`;

const LIST_PRODUCTS = `SELECT ${PRODUCT_COLUMNS} FROM products p
  WHERE (?::VARCHAR IS NULL OR lower(p.product_category) = lower(?))
    AND (?::VARCHAR IS NULL OR lower(p.product_type) = lower(?))
    AND (?::VARCHAR IS NULL OR lower(p.status) = lower(?))
    AND (?::VARCHAR IS NULL OR p.product_id > ?)
  ORDER BY p.product_id
  LIMIT ?`;

const PRODUCT_EXISTS = "SELECT 1 AS found FROM products WHERE product_id = ?";

/** `?` 1–2 as-of, 3 product, 4–5 keyset, 6 active only, 7–8 as-of, 9 limit. */
const LIST_PRODUCT_CUSTOMERS = `SELECT h.customer_id, any_value(c.customer_name) AS customer_name,
    any_value(c.region) AS region,
    count(*)::INTEGER AS relationships,
    max(CASE WHEN h.start_date <= ?::DATE AND (h.end_date IS NULL OR h.end_date >= ?::DATE)
      THEN 1 ELSE 0 END) = 1 AS active,
    min(h.start_date) AS first_start_date, max(h.start_date) AS last_start_date,
    coalesce(sum(h."value"), 0)::DECIMAL(38,2) AS total_value
  FROM customer_products h LEFT JOIN customers c ON c.customer_id = h.customer_id
  WHERE h.product_id = ? AND (?::VARCHAR IS NULL OR h.customer_id > ?)
  GROUP BY h.customer_id
  HAVING NOT ?::BOOLEAN OR max(CASE WHEN h.start_date <= ?::DATE
      AND (h.end_date IS NULL OR h.end_date >= ?::DATE) THEN 1 ELSE 0 END) = 1
  ORDER BY h.customer_id
  LIMIT ?`;

/** Who holds a product, summed up. */
export interface ProductSummaryRow {
  readonly activeCustomers: number;
  readonly totalCustomers: number;
  readonly relationships: number;
  readonly totalValue: string;
  readonly asOf: string;
}

/** One customer's relationships with a product, summed up. */
export interface ProductHolderRow {
  readonly customerId: string;
  readonly customerName: string;
  readonly region: string;
  readonly relationships: number;
  readonly active: boolean;
  readonly firstStartDate: string;
  readonly lastStartDate: string;
  readonly totalValue: string;
}

/** Arguments of {@link getProduct}. */
export interface GetProductArgs {
  readonly productId: string;
  readonly today?: string;
}

/** Looks up one product and who holds it as of today. NOT_FOUND when unknown. */
export async function getProduct(
  db: Reader,
  args: GetProductArgs,
): Promise<{ product: ProductRow; summary: ProductSummaryRow }> {
  const asOf = args.today ?? todayUtc();
  const [row] = await db.all(GET_PRODUCT, [asOf, asOf, args.productId]);
  if (row === undefined) throw productNotFound(args.productId);
  return {
    product: toProduct(row),
    summary: {
      activeCustomers: count(row.active_customers),
      totalCustomers: count(row.total_customers),
      relationships: count(row.relationships),
      totalValue: money(row.total_value),
      asOf,
    },
  };
}

/**
 * {@link getProduct} on the snapshot: the summary from the in-memory {@link PRODUCT_HOLDERS_INDEX}
 * once it is built and can answer, the product's row from its table; the whole statement
 * otherwise (it scans every relationship: the snapshot keeps them in customer order only).
 */
export async function getProductFromSnapshot(
  db: SnapshotReader,
  args: GetProductArgs,
): ReturnType<typeof getProduct> {
  const asOf = args.today ?? todayUtc();
  const summary = db.memo.built(PRODUCT_HOLDERS_INDEX)?.summary(args.productId, dayOf(asOf));
  if (summary === undefined) return getProduct(db, args);
  const [row] = await db.all(PRODUCT_ROW, [args.productId]);
  if (row === undefined) throw productNotFound(args.productId);
  return { product: toProduct(row), summary: { ...summary, asOf } };
}

/** Filters for {@link listProducts}; empty strings mean "no filter". */
export interface ListProductsArgs {
  readonly productCategory: string;
  readonly productType: string;
  readonly status: string;
  readonly pageSize: number;
  readonly pageToken: string;
}

/** One page of products in id order, continued by keyset on product_id. */
export async function listProducts(
  db: Reader,
  args: ListProductsArgs,
): Promise<{ products: ProductRow[]; nextPageToken: string }> {
  const filters = [args.productCategory, args.productType, args.status] as const;
  const scope = pageScope("ListProducts", filters);
  const [after = null] = decodePageToken(args.pageToken, scope, 1) ?? [];
  const pageSize = effectivePageSize(args.pageSize);
  const params = [...filters.flatMap((f) => [f || null, f || null]), after, after, pageSize + 1];
  const rows = await db.all(LIST_PRODUCTS, params);
  const page = rows.slice(0, pageSize).map(toProduct);
  const last = page.at(-1);
  return {
    products: page,
    nextPageToken:
      rows.length > pageSize && last !== undefined ? encodePageToken(scope, [last.productId]) : "",
  };
}

/** Arguments of {@link listProductCustomers}. */
export interface ListProductCustomersArgs {
  readonly productId: string;
  readonly activeOnly: boolean;
  readonly pageSize: number;
  readonly pageToken: string;
  readonly today?: string;
}

/** One page of a product's holders in customer id order. NOT_FOUND when the product is unknown. */
export async function listProductCustomers(
  db: Reader,
  args: ListProductCustomersArgs,
  memory?: ProductHoldersIndex,
): Promise<{ holders: ProductHolderRow[]; nextPageToken: string; asOf: string }> {
  const asOf = args.today ?? todayUtc();
  const scope = pageScope("ListProductCustomers", [args.productId, args.activeOnly]);
  const [after = null] = decodePageToken(args.pageToken, scope, 1) ?? [];
  const known =
    memory === undefined
      ? (await db.all(PRODUCT_EXISTS, [args.productId])).length > 0
      : memory.has(args.productId);
  if (!known) throw productNotFound(args.productId);
  const pageSize = effectivePageSize(args.pageSize);
  const { holders, more } =
    memory === undefined
      ? await holdersBySql(db, args, asOf, after, pageSize)
      : memory.page(args.productId, dayOf(asOf), args.activeOnly, after, pageSize);
  const last = holders.at(-1);
  return {
    holders,
    asOf,
    nextPageToken: more && last !== undefined ? encodePageToken(scope, [last.customerId]) : "",
  };
}

/**
 * {@link listProductCustomers} on the snapshot: from the in-memory
 * {@link PRODUCT_HOLDERS_INDEX} once it is built, by SQL until then.
 */
export function listProductCustomersFromSnapshot(
  db: SnapshotReader,
  args: ListProductCustomersArgs,
): ReturnType<typeof listProductCustomers> {
  const memory = db.memo.built(PRODUCT_HOLDERS_INDEX);
  return listProductCustomers(db, args, memory);
}

async function holdersBySql(
  db: Reader,
  args: ListProductCustomersArgs,
  asOf: string,
  after: string | null,
  pageSize: number,
): Promise<{ holders: ProductHolderRow[]; more: boolean }> {
  const rows = await db.all(LIST_PRODUCT_CUSTOMERS, [
    asOf,
    asOf,
    args.productId,
    after,
    after,
    args.activeOnly,
    asOf,
    asOf,
    pageSize + 1,
  ]);
  const holders = rows.slice(0, pageSize).map(
    (row): ProductHolderRow => ({
      customerId: text(row.customer_id),
      customerName: text(row.customer_name),
      region: text(row.region),
      relationships: count(row.relationships),
      active: row.active === true,
      firstStartDate: text(row.first_start_date),
      lastStartDate: text(row.last_start_date),
      totalValue: money(row.total_value),
    }),
  );
  return { holders, more: rows.length > pageSize };
}

function productNotFound(id: string): AppError {
  return new AppError("not_found", `product ${JSON.stringify(id)} does not exist`, {
    field: "product_id",
  });
}

/** GetProduct on the snapshot (memory first) or live (the same statement at the source). */
export const getProductQuestion: Question<
  GetProductArgs,
  Awaited<ReturnType<typeof getProduct>>
> = {
  snapshot: getProductFromSnapshot,
  live: getProduct,
};

/** ListProductCustomers on the snapshot (memory first) or live (the statement at the source). */
export const listProductCustomersQuestion: QuestionOf<typeof listProductCustomers> = {
  snapshot: listProductCustomersFromSnapshot,
  live: (db, args) => listProductCustomers(db, args),
};

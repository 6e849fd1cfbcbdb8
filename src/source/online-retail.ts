import { stat } from "node:fs/promises";
import { projectPath } from "../project-root.js";
import {
  COUNT_ANONYMOUS_LINES,
  COUNT_DUPLICATE_LINES,
  DROP_ONLINE_RETAIL_FILE,
  ONLINE_RETAIL_CUSTOMER_PRODUCTS,
  ONLINE_RETAIL_CUSTOMERS,
  ONLINE_RETAIL_PRODUCTS,
  PARSE_ONLINE_RETAIL_LINES,
  readOnlineRetailFileSql,
} from "./online-retail-sql.js";
import {
  bucketPattern,
  FEE_CATEGORY,
  FEE_STOCK_CODES,
  KEYWORD_BUCKETS,
  OTHER_CATEGORY,
} from "./product-categories.js";
import { sourceError } from "./source-error.js";
import { sqlStringLiteral } from "./sql-literal.js";
import type { SourceLoad } from "./table-feed.js";

/**
 * The bundled UCI Online Retail file, found next to the installed code rather than under
 * DATA_DIR or the working directory, so the demo works wherever the service is started from.
 */
export const BUNDLED_ONLINE_RETAIL_PATH = projectPath("data/raw/online-retail.csv.gz");

/**
 * A customer whose median purchase invoice is worth at least this much (GBP) is `wholesale`,
 * else `retail`. The retailer sells gift-ware in trade packs (12, 24, 144 units) to shops as well
 * as to private buyers; a private basket of such goods rarely reaches £500, while a shop
 * restocking does. Across all customers the median of these medians is about £290; the
 * threshold marks 712 of the 4,339 customers with a purchase (one in six) as wholesale.
 * Customers whose only invoices are cancellations have no median and count as `retail`.
 */
export const WHOLESALE_MEDIAN_INVOICE_GBP = "500";

/**
 * A customer is `active` when their last purchase (not cancellation) is at most this many days
 * before the data's end (the latest InvoiceDate in the file, 2011-12-09), else `inactive`.
 */
export const ACTIVE_WITHIN_DAYS = 90;

/**
 * Maps the UCI Online Retail file onto the three base tables, as the dataset's README suggests:
 * the demo data when `LOCAL_SOURCE_DIR` is unset, and real, messy data for tests and benchmarks.
 *
 * The file is parsed once, in `prepare`, into a temporary table the three SELECTs share (the
 * builder must run `prepare` and the SELECTs on one connection). The rules:
 *
 * - Lines that repeat an earlier line exactly (all eight columns as written) are dropped, the
 *   first kept; lines without a CustomerID are left out of `customer_products` but still count
 *   for products (they are real sales). Both are reported in `dropped`.
 * - customers: `customer_id` is the integer id as text (`17850.0` → `17850`), `customer_name`
 *   is `Customer <id>`, `customer_type` by {@link WHOLESALE_MEDIAN_INVOICE_GBP}, `region` the
 *   Country of most of the customer's lines (ties: alphabetically first), `registration_date`
 *   the first invoice date, `status` by {@link ACTIVE_WITHIN_DAYS}.
 * - products: every StockCode (case kept, so `85123A` and `85123a` are two products), including
 *   codes bought only by anonymous customers, so the catalogue matches the file and no kept
 *   relationship can point at a missing product. `product_name` is the most frequent trimmed,
 *   non-empty Description (ties: alphabetically first; none: NULL); category and type per
 *   `product-categories.ts`; `launch_date` the first invoice date; `status` `active`.
 * - customer_products: one row per kept line; `relationship_id` is `InvoiceNo-n` where n is the
 *   line's 1-based position within its invoice in the file (dropped lines keep their numbers,
 *   so an id always points at the same file line); `relationship_type` `return` for
 *   cancellations (InvoiceNo starting with C) else `purchase`; `start_date` the invoice date;
 *   `end_date` NULL; `value` round(Quantity × UnitPrice, 2), computed as exact decimals.
 *
 * `dataAsOf` is the file's modification time, as for every file source.
 */
export async function onlineRetailLoad(
  path: string = BUNDLED_ONLINE_RETAIL_PATH,
): Promise<SourceLoad> {
  const modified = await modificationTime(path);
  return {
    prepare: [
      readOnlineRetailFileSql(sqlStringLiteral(path)),
      PARSE_ONLINE_RETAIL_LINES,
      DROP_ONLINE_RETAIL_FILE,
    ],
    tables: {
      customers: {
        kind: "select",
        sql: ONLINE_RETAIL_CUSTOMERS,
        params: [WHOLESALE_MEDIAN_INVOICE_GBP, ACTIVE_WITHIN_DAYS],
      },
      products: { kind: "select", sql: ONLINE_RETAIL_PRODUCTS, params: productParams() },
      customer_products: { kind: "select", sql: ONLINE_RETAIL_CUSTOMER_PRODUCTS, params: [] },
    },
    dropped: [
      {
        reason: "Online Retail: exact repeat of an earlier line (all eight columns equal)",
        countSql: COUNT_DUPLICATE_LINES,
      },
      {
        reason: "Online Retail: no CustomerID (anonymous sale; still counted for products)",
        countSql: COUNT_ANONYMOUS_LINES,
      },
    ],
    dataAsOf: modified,
  };
}

/** The products SELECT's parameters, in the order its placeholders appear. */
function productParams(): (string | number)[] {
  return [
    FEE_STOCK_CODES.join("|"),
    FEE_CATEGORY,
    ...KEYWORD_BUCKETS.flatMap((bucket) => [bucketPattern(bucket), bucket.category]),
    OTHER_CATEGORY,
  ];
}

async function modificationTime(path: string): Promise<Date> {
  try {
    return (await stat(path)).mtime;
  } catch (error) {
    throw sourceError(`cannot read the Online Retail file (${String(error)})`, path);
  }
}

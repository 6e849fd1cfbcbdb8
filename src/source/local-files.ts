import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { columnsOf } from "../schema/schema-sql.js";
import {
  badValueSql,
  type LocalFormat,
  missingColumnSql,
  tableSelectSql,
} from "./local-file-sql.js";
import { sourceError } from "./source-error.js";
import type { BaseTable, SourceCheck, SourceLoad, TableFeed } from "./table-feed.js";

/** The file names a table may have, and how each is read. */
const FILE_SUFFIXES: readonly (readonly [string, LocalFormat])[] = [
  [".csv", "csv"],
  [".csv.gz", "csv"],
  [".parquet", "parquet"],
];

/** One table's file, found in the directory. */
interface TableFile {
  readonly path: string;
  readonly format: LocalFormat;
  readonly modified: Date;
}

/**
 * The `SOURCE=local` source: a directory (`LOCAL_SOURCE_DIR`) holding `customers`, `products`
 * and `customer_products`, each as `.csv`, `.csv.gz` or `.parquet`, with at least the columns of
 * the schema module (matched case-insensitively; extra columns are ignored; optional columns may
 * be absent and load as NULL). It lets people run the
 * service on their own data without Snowflake.
 *
 * Files are found here, at once: a missing, empty or ambiguous file (two formats of one table)
 * throws an `invalid_data` error (sourceError). Columns and values are checked by the load's
 * `checks`, which the builder runs before creating any table: a missing column, or a value that
 * does not cast to its column's type (DATE, DECIMAL(15,2)), fails the load with an
 * `invalid_data` error naming the file, the column and, for a value, its row and text. CSV files are comma-separated with a header
 * line and double quotes; an empty field is NULL. `dataAsOf` is the newest file's modification
 * time. Nothing is dropped.
 */
export async function localFilesLoad(dir: string): Promise<SourceLoad> {
  const names = await listDirectory(dir);
  const files = {
    customers: await findTableFile(dir, names, "customers"),
    products: await findTableFile(dir, names, "products"),
    customer_products: await findTableFile(dir, names, "customer_products"),
  } satisfies Record<BaseTable, TableFile>;
  const all = Object.entries(files) as [BaseTable, TableFile][];
  return {
    prepare: [],
    checks: all.flatMap(([table, file]) => tableChecks(table, file)),
    tables: {
      customers: tableFeed("customers", files.customers),
      products: tableFeed("products", files.products),
      customer_products: tableFeed("customer_products", files.customer_products),
    },
    dropped: [],
    dataAsOf: new Date(Math.max(...all.map(([, file]) => file.modified.getTime()))),
  };
}

function tableFeed(table: BaseTable, file: TableFile): TableFeed {
  return { kind: "select", sql: tableSelectSql(table, file.format), params: [file.path] };
}

/**
 * The validation spec's `<table>.schema` check for a file: every contract column must exist
 * (optional ones may be absent); then every non-text column's values must cast.
 */
function tableChecks(table: BaseTable, file: TableFile): SourceCheck[] {
  const columns = columnsOf(table);
  const check = `${table}.schema`;
  const present = columns
    .filter((c) => c.optional !== true)
    .map((c) => ({
      check,
      sql: missingColumnSql(file.format),
      params: [file.path, c.name],
      problem: "the column is missing",
      file: file.path,
      column: c.name,
    }));
  const castable = columns
    .filter((c) => c.duckdb !== "VARCHAR" && c.optional !== true)
    .map((c) => ({
      check,
      sql: badValueSql(file.format, c.name, c.duckdb),
      params: [file.path],
      problem: `a value does not cast to ${c.duckdb.replace(",", ", ")}`,
      file: file.path,
      column: c.name,
    }));
  return [...present, ...castable];
}

async function listDirectory(dir: string): Promise<ReadonlySet<string>> {
  try {
    return new Set(await readdir(dir));
  } catch (error) {
    throw sourceError(`cannot read the local source directory (${String(error)})`, dir);
  }
}

async function findTableFile(
  dir: string,
  names: ReadonlySet<string>,
  table: BaseTable,
): Promise<TableFile> {
  const candidates = FILE_SUFFIXES.map(([suffix]) => `${table}${suffix}`);
  const found = FILE_SUFFIXES.filter(([suffix]) => names.has(`${table}${suffix}`));
  const [first] = found;
  if (first === undefined) {
    throw sourceError(
      `no file for table ${table} (looked for ${candidates.join(", ")})`,
      join(dir, `${table}.{csv,csv.gz,parquet}`),
    );
  }
  if (found.length > 1) {
    const paths = found.map(([suffix]) => join(dir, `${table}${suffix}`));
    throw sourceError(
      `more than one file for table ${table} (${paths.join(", ")}); keep one`,
      paths[0] ?? dir,
    );
  }
  const [suffix, format] = first;
  const path = join(dir, `${table}${suffix}`);
  const info = await stat(path);
  if (!info.isFile() || info.size === 0) {
    throw sourceError("the file is empty or not a regular file", path);
  }
  return { path, format, modified: info.mtime };
}

import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  badValueSql,
  COLUMN_TYPES,
  type LocalFormat,
  missingColumnSql,
  tableSelectSql,
} from "./local-file-sql.js";
import { SourceError } from "./source-error.js";
import {
  BASE_TABLES,
  type BaseTable,
  type SourceCheck,
  type SourceLoad,
  type TableFeed,
} from "./table-feed.js";

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
 * docs/data_sources.md (matched case-insensitively; extra columns are ignored). It lets people run the
 * service on their own data without Snowflake.
 *
 * Files are found here, at once: a missing, empty or ambiguous file (two formats of one table)
 * throws {@link SourceError}. Columns and values are checked by the load's `checks`, which the
 * builder runs before creating any table: a missing column, or a value that does not cast to
 * its column's type (DATE, DECIMAL(15,2)), fails the load with a SourceError naming the file,
 * the column and, for a value, its row and text. CSV files are comma-separated with a header
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

/** Every column must exist; then every non-text column's values must cast. */
function tableChecks(table: BaseTable, file: TableFile): SourceCheck[] {
  const columns = BASE_TABLES[table];
  const types = COLUMN_TYPES[table];
  const present = columns.map((column) => ({
    sql: missingColumnSql(file.format),
    params: [file.path, column],
    problem: "the column is missing",
    file: file.path,
    column,
  }));
  const castable = columns.flatMap((column, i) => {
    const type = types[i] ?? "VARCHAR";
    return type === "VARCHAR"
      ? []
      : [
          {
            sql: badValueSql(file.format, column, type),
            params: [file.path],
            problem: `a value does not cast to ${type}`,
            file: file.path,
            column,
          },
        ];
  });
  return [...present, ...castable];
}

async function listDirectory(dir: string): Promise<ReadonlySet<string>> {
  try {
    return new Set(await readdir(dir));
  } catch (error) {
    throw new SourceError(`cannot read the local source directory (${String(error)})`, dir);
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
    throw new SourceError(
      `no file for table ${table} (looked for ${candidates.join(", ")})`,
      join(dir, `${table}.{csv,csv.gz,parquet}`),
    );
  }
  if (found.length > 1) {
    const paths = found.map(([suffix]) => join(dir, `${table}${suffix}`));
    throw new SourceError(
      `more than one file for table ${table} (${paths.join(", ")}); keep one`,
      paths[0] ?? dir,
    );
  }
  const [suffix, format] = first;
  const path = join(dir, `${table}${suffix}`);
  const info = await stat(path);
  if (!info.isFile() || info.size === 0) {
    throw new SourceError("the file is empty or not a regular file", path);
  }
  return { path, format, modified: info.mtime };
}

import type { SqlRunner } from "../../snapshot/sql-runner.js";
import { BASE_TABLES, type BaseTable } from "../../source/table-feed.js";
import { toCount, toText } from "./profiles-values.js";

/** How DuckDB stores a column, which decides which statistics the profile computes for it. */
export type StorageKind = "integer" | "decimal" | "float" | "date" | "string" | "boolean" | "other";

/**
 * One column of a base table as DuckDB's catalog describes it. The profile and data-quality
 * builds take every identifier they put into SQL from here (an allow-list), never from a request.
 */
export interface CatalogColumn {
  readonly table: BaseTable;
  readonly name: string;
  /** 1-based position in the table. */
  readonly ordinal: number;
  /** DuckDB's type name, e.g. `VARCHAR`, `DATE`, `DECIMAL(15,2)`. */
  readonly dataType: string;
  readonly storage: StorageKind;
  /** The name quoted for SQL (`"value"` is a keyword in DuckDB). */
  readonly ident: string;
}

const CATALOG_SQL = `
  SELECT table_name, column_name, column_index, data_type
  FROM duckdb_columns()
  WHERE database_name = current_database() AND schema_name = current_schema()
    AND table_name IN (?, ?, ?)
  ORDER BY table_name, column_index`;

const INTEGER_TYPES = new Set([
  "TINYINT",
  "SMALLINT",
  "INTEGER",
  "BIGINT",
  "HUGEINT",
  "UTINYINT",
  "USMALLINT",
  "UINTEGER",
  "UBIGINT",
  "UHUGEINT",
]);
const DATE_TYPES = new Set([
  "DATE",
  "TIMESTAMP",
  "TIMESTAMP_S",
  "TIMESTAMP_MS",
  "TIMESTAMP_NS",
  "TIMESTAMP WITH TIME ZONE",
]);

/** Classifies a DuckDB type name into the kinds the profile distinguishes. */
export function storageKindOf(dataType: string): StorageKind {
  if (INTEGER_TYPES.has(dataType)) return "integer";
  if (dataType.startsWith("DECIMAL")) return "decimal";
  if (dataType === "FLOAT" || dataType === "DOUBLE") return "float";
  if (DATE_TYPES.has(dataType)) return "date";
  if (dataType === "VARCHAR") return "string";
  if (dataType === "BOOLEAN") return "boolean";
  return "other";
}

/** True for kinds that get numeric statistics (mean, quantiles, zeros, histogram). */
export function isNumericStorage(kind: StorageKind): boolean {
  return kind === "integer" || kind === "decimal" || kind === "float";
}

/** Quotes an identifier for DuckDB, doubling embedded quotes. Only catalog names reach it. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The contract's primary key of each table. The profile proves a key unique with one sort instead
 * of grouping it (a hash table with one group per row), which is several times faster.
 */
export const PRIMARY_KEYS: Readonly<Record<BaseTable, string>> = {
  customers: "customer_id",
  products: "product_id",
  customer_products: "relationship_id",
};

/** The names of the mirrored base tables, in the order the builds process them. */
export const BASE_TABLE_NAMES = Object.keys(BASE_TABLES) as BaseTable[];

/**
 * Reads the columns of the three base tables from DuckDB's catalog, so the builds profile and
 * check what the snapshot really holds (including a column a source added or lost). A table that
 * is absent maps to an empty list.
 */
export async function readBaseCatalog(db: SqlRunner): Promise<Map<BaseTable, CatalogColumn[]>> {
  const rows = await db.all(CATALOG_SQL, BASE_TABLE_NAMES);
  const catalog = new Map<BaseTable, CatalogColumn[]>(BASE_TABLE_NAMES.map((t) => [t, []]));
  for (const row of rows) {
    const table = toText(row.table_name) as BaseTable;
    const name = toText(row.column_name) ?? "";
    const dataType = toText(row.data_type) ?? "";
    catalog.get(table)?.push({
      table,
      name,
      ordinal: toCount(row.column_index),
      dataType,
      storage: storageKindOf(dataType),
      ident: quoteIdent(name),
    });
  }
  return catalog;
}

import type { SqlParam, SqlRow } from "./sql-runner.js";

/** The file formats DuckDB writes an export in. */
export type ExportFileFormat = "csv" | "ndjson" | "parquet";

/**
 * One export as the query layer asks for it: a SELECT built from allow-listed identifiers with
 * its values as `?` placeholders, the file to write and the most rows it may hold.
 */
export interface CopyRequest {
  readonly sql: string;
  readonly params: readonly SqlParam[];
  readonly format: ExportFileFormat;
  /** A server-made path under `DATA_DIR/exports`; never a request value. */
  readonly path: string;
  /** When more rows match than this, nothing is written. */
  readonly maxRows: number;
}

/** What a bounded copy did: the rows that matched, and whether the file was written. */
export interface CopyOutcome {
  readonly rows: number;
  readonly written: boolean;
}

/** What runs the two statements: one-off, unprepared, interruptible (the connection pool). */
export interface OnceRunner {
  once(sql: string, params: readonly SqlParam[], signal?: AbortSignal): Promise<SqlRow[]>;
}

/**
 * DuckDB's COPY options per format. CSV gets a header line and DuckDB's quoting (fields with a
 * comma, quote or newline in double quotes, quotes doubled); JSON is one object per line.
 */
const COPY_OPTIONS: Readonly<Record<ExportFileFormat, string>> = {
  csv: "FORMAT csv, HEADER true",
  ndjson: "FORMAT json",
  parquet: "FORMAT parquet",
};

/**
 * Counts the rows `request.sql` matches and, when they fit within `maxRows`, writes them to
 * `request.path` with DuckDB's `COPY ... TO`, which streams row groups to the file: memory stays
 * flat whatever the size, and a read-only snapshot can still write a file. Counting first is what
 * lets a too-large export fail before it fills the disk.
 */
export async function boundedCopy(
  db: OnceRunner,
  request: CopyRequest,
  signal?: AbortSignal,
): Promise<CopyOutcome> {
  const [counted] = await db.once(
    `SELECT count(*) AS n FROM (${request.sql})`,
    request.params,
    signal,
  );
  const rows = Number(counted?.n ?? 0);
  if (rows > request.maxRows) return { rows, written: false };
  const copy = `COPY (${request.sql}) TO ${sqlString(request.path)} (${COPY_OPTIONS[request.format]})`;
  const [copied] = await db.once(copy, request.params, signal);
  return { rows: Number(copied?.Count ?? rows), written: true };
}

/** A string literal; only ever used for the server's own file path, which COPY cannot bind. */
function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

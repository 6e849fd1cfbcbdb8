import { AppError } from "../app-error.js";
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
  try {
    const [copied] = await db.once(copy, request.params, signal);
    return { rows: Number(copied?.Count ?? rows), written: true };
  } catch (err) {
    throw NO_SPACE.test(err instanceof Error ? err.message : String(err)) ? noSpace(err) : err;
  }
}

/** How DuckDB (and the OS under it) reports a full disk or a file-size limit reached. */
const NO_SPACE =
  /No space left on device|ENOSPC|disk is full|File too large|EFBIG|EDQUOT|quota exceeded/i;

/**
 * A full disk is the caller's RESOURCE_EXHAUSTED, not a fault of ours: the message says what
 * happened without the path, and the partial file is removed by the export's own cleanup.
 */
function noSpace(cause: unknown): AppError {
  return new AppError(
    "resource_exhausted",
    "the export could not be written: there is no space left on the disk that holds the server's export files; retry later or export fewer rows (filters, columns)",
    { reason: "no_space", cause },
  );
}

/** A string literal; only ever used for the server's own file path, which COPY cannot bind. */
function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

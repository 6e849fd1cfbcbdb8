/**
 * The stage statements the emulator answers itself: `CREATE [OR REPLACE] [TEMPORARY] STAGE`,
 * `DROP STAGE`, `COPY INTO @stage/path/ FROM (SELECT ...) FILE_FORMAT = (TYPE = PARQUET)`
 * (written by DuckDB's `COPY ... TO ... (FORMAT PARQUET)`, split into files of at most
 * `MAX_FILE_SIZE` bytes), `LIST`/`LS`, `REMOVE`/`RM`, and `GET`, whose answer sends the driver
 * to download each file over HTTP from the emulator as if it were Google Cloud Storage
 * (`stage-download.ts` serves them; docs/emulator.md says why GCS).
 *
 * @module
 */
import { rmSync } from "node:fs";
import type { EmulatorContext } from "./context.js";
import type { QueryResult } from "./query-store.js";
import { syntheticColumn } from "./result-encoding.js";
import type { Session } from "./session-store.js";
import { STAGE_BUCKET, STAGE_DOWNLOAD_PREFIX } from "./stage-download.js";
import { STATEMENT_TYPE_IDS, statusResult } from "./statement-kind.js";
import { SnowflakeError } from "./types.js";

/** Runs the inner SELECT of a `COPY INTO @stage` into Parquet files in `dir`; returns rows. */
export type CopySelect = (selectSql: string, dir: string, maxFileSize: number) => Promise<number>;

const NAME = String.raw`((?:[A-Za-z_][\w$]*\.){0,2}[A-Za-z_][\w$]*|"[^"]+")`;
const LOCATION = String.raw`@${NAME}((?:/[^\s']*)?)`;
const PATTERN = String.raw`PATTERN\s*=\s*'((?:[^']|'')*)'`;

const CREATE = new RegExp(
  String.raw`^CREATE\s+(OR\s+REPLACE\s+)?(TEMP(?:ORARY)?\s+)?STAGE\s+(IF\s+NOT\s+EXISTS\s+)?${NAME}`,
  "i",
);
const DROP = new RegExp(String.raw`^DROP\s+STAGE\s+(IF\s+EXISTS\s+)?${NAME}\s*;?\s*$`, "i");
const COPY = new RegExp(String.raw`^COPY\s+INTO\s+${LOCATION}\s+FROM\s*\(`, "i");
const LIST = new RegExp(String.raw`^(?:LIST|LS)\s+${LOCATION}(?:\s+${PATTERN})?\s*;?\s*$`, "i");
const REMOVE = new RegExp(String.raw`^(?:REMOVE|RM)\s+${LOCATION}(?:\s+${PATTERN})?\s*;?\s*$`, "i");
const GET = new RegExp(
  String.raw`^GET\s+${LOCATION}\s+'?file://([^\s']+)'?((?:\s+(?:PARALLEL\s*=\s*\d+|${PATTERN}))*)\s*;?\s*$`,
  "i",
);

/** Snowflake's default `MAX_FILE_SIZE` for unloads is 16 MB. */
const DEFAULT_MAX_FILE_SIZE = 16 * 1024 * 1024;

const stageName = (raw: string): string => {
  const last = raw.split(".").at(-1) ?? raw;
  return last.startsWith('"') ? last.slice(1, -1) : last.toUpperCase();
};

/** The path after `@stage`, without its leading slash. */
const stagePath = (raw: string | undefined): string => (raw ?? "").replace(/^\/+/, "");

const unquotePattern = (pattern: string | undefined): string | undefined =>
  pattern?.replaceAll("''", "'");

const notSupported = (what: string) =>
  new SnowflakeError({
    code: "001003",
    sqlState: "42000",
    type: "COMPILATION",
    message: `SQL compilation error:\n${what} is not supported by the emulator`,
  });

/** Answers a stage statement, or returns undefined when `sqlText` is not one. */
export async function stageStatement(
  emulator: EmulatorContext,
  sqlText: string,
  session: Session,
  copySelect: CopySelect,
): Promise<QueryResult | undefined> {
  const text = sqlText.trim();
  const stages = emulator.stages;
  let m = CREATE.exec(text);
  if (m !== null) {
    const status = stages.create(stageName(m[4] ?? ""), {
      replace: m[1] !== undefined,
      temporary: m[2] !== undefined,
      ifNotExists: m[3] !== undefined,
      sessionId: session.id,
    });
    return statusResult(status, STATEMENT_TYPE_IDS.ddl, "ddl");
  }
  m = DROP.exec(text);
  if (m !== null) {
    const status = stages.drop(stageName(m[2] ?? ""), m[1] !== undefined, session.id);
    return statusResult(status, STATEMENT_TYPE_IDS.ddl, "ddl");
  }
  m = COPY.exec(text);
  if (m !== null) return copyInto(emulator, text, m, session, copySelect);
  m = LIST.exec(text);
  if (m !== null) {
    const files = stages.list(
      stageName(m[1] ?? ""),
      stagePath(m[2]),
      unquotePattern(m[3]),
      session.id,
    );
    return listResult(files);
  }
  m = REMOVE.exec(text);
  if (m !== null) {
    const files = stages.list(
      stageName(m[1] ?? ""),
      stagePath(m[2]),
      unquotePattern(m[3]),
      session.id,
    );
    for (const file of files) rmSync(file.fullPath, { force: true });
    emulator.stats.stageFilesRemoved += files.length;
    return rowsResult(
      [
        ["name", "text"],
        ["result", "text"],
      ],
      files.map((file) => [file.name, "removed"]),
    );
  }
  m = GET.exec(text);
  if (m !== null) return getResult(emulator, m, session);
  if (/^(?:PUT|GET|LIST|LS|REMOVE|RM)\s/i.test(text))
    throw notSupported("This form of the statement");
  return undefined;
}

/** `COPY INTO @stage/path/ FROM (SELECT ...) FILE_FORMAT = (TYPE = PARQUET) ...`. */
async function copyInto(
  emulator: EmulatorContext,
  text: string,
  m: RegExpExecArray,
  session: Session,
  copySelect: CopySelect,
): Promise<QueryResult> {
  const open = m[0].length - 1;
  const close = matchingParen(text, open);
  const select = text.slice(open + 1, close);
  const options = text.slice(close + 1);
  if (!/FILE_FORMAT\s*=\s*\(\s*TYPE\s*=\s*'?PARQUET'?/i.test(options)) {
    throw notSupported("An unload to a format other than PARQUET");
  }
  const maxFileSize = Number(
    /MAX_FILE_SIZE\s*=\s*(\d+)/i.exec(options)?.[1] ?? DEFAULT_MAX_FILE_SIZE,
  );
  const detailed = /DETAILED_OUTPUT\s*=\s*TRUE/i.test(options);
  const name = stageName(m[1] ?? "");
  const path = stagePath(m[2]);
  const dir = emulator.stages.directory(name, path, session.id);
  const before = new Set(
    emulator.stages.list(name, path, undefined, session.id).map((f) => f.name),
  );
  const rows = await copySelect(select, dir, maxFileSize);
  const written = emulator.stages
    .list(name, path, undefined, session.id)
    .filter((file) => !before.has(file.name));
  emulator.stats.stageFilesWritten += written.length;
  if (detailed) {
    return rowsResult(
      [
        ["FILE_NAME", "text"],
        ["FILE_SIZE", "fixed"],
        ["ROW_COUNT", "fixed"],
      ],
      written.map((file) => [file.path.slice(path.length), String(file.size), ""]),
    );
  }
  const bytes = written.reduce((sum, file) => sum + file.size, 0);
  return rowsResult(
    [
      ["rows_unloaded", "fixed"],
      ["input_bytes", "fixed"],
      ["output_bytes", "fixed"],
    ],
    [[String(rows), String(bytes), String(bytes)]],
  );
}

/** The index of the parenthesis closing the one at `open` (strings and quotes skipped). */
function matchingParen(text: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i;
  }
  throw notSupported("A COPY INTO whose FROM ( is not closed");
}

/** `LIST` columns: name, size, md5, last_modified. */
function listResult(files: ReturnType<EmulatorContext["stages"]["list"]>): QueryResult {
  return rowsResult(
    [
      ["name", "text"],
      ["size", "fixed"],
      ["md5", "text"],
      ["last_modified", "text"],
    ],
    files.map((file) => [file.name, String(file.size), null, file.lastModified.toUTCString()]),
  );
}

/**
 * `GET`: the file-transfer answer. The driver reads `command`, `src_locations` (paths under
 * `stageInfo.location`), `localLocation` and `stageInfo`; with `locationType` GCS, an access
 * token and `endPoint` pointing here, it sends a HEAD and a GET per file to
 * `<endPoint>/<bucket>/<path>` with the token as a bearer credential, and writes the body to
 * `localLocation`. No encryption material is sent, so the files arrive as they are.
 */
function getResult(emulator: EmulatorContext, m: RegExpExecArray, session: Session): QueryResult {
  const name = stageName(m[1] ?? "");
  const path = stagePath(m[2]);
  const localLocation = m[3] ?? "";
  const options = m[4] ?? "";
  const pattern = unquotePattern(new RegExp(PATTERN, "i").exec(options)?.[1]);
  const parallel = Number(/PARALLEL\s*=\s*(\d+)/i.exec(options)?.[1] ?? 10);
  const files = emulator.stages.list(name, path, pattern, session.id);
  const token = emulator.stages.grant(name, session.id);
  const served = emulator.stages.servedName(name, session.id);
  emulator.stats.stageDownloadsOffered += files.length;
  return {
    ...rowsResult(
      [
        ["file", "text"],
        ["size", "fixed"],
        ["status", "text"],
        ["message", "text"],
      ],
      [],
    ),
    kind: "get",
    fileTransfer: {
      command: "DOWNLOAD",
      src_locations: files.map((file) => file.path),
      localLocation,
      parallel,
      autoCompress: false,
      overwrite: true,
      presignedUrls: [],
      stageInfo: {
        locationType: "GCS",
        location: `${STAGE_BUCKET}/${served}/`,
        path: `${served}/`,
        region: "US-CENTRAL1",
        storageAccount: null,
        isClientSideEncrypted: false,
        creds: { GCS_ACCESS_TOKEN: token },
        presignedUrl: null,
        endPoint: `${emulator.url}${STAGE_DOWNLOAD_PREFIX}`,
        useVirtualUrl: false,
        useRegionalUrl: false,
      },
    },
  };
}

/** A small result with the given column names and types. */
function rowsResult(
  columns: readonly (readonly [string, "text" | "fixed"])[],
  rows: readonly (readonly (string | null)[])[],
): QueryResult {
  return {
    rowtype: columns.map(([name, type]) => syntheticColumn(name, type)),
    rowset: rows.map((row) => [...row]),
    total: rows.length,
    statementTypeId: STATEMENT_TYPE_IDS.select,
    kind: "stage",
  };
}

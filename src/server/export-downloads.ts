import type * as http from "node:http";
import type * as http2 from "node:http2";
import { type Client, Code, ConnectError } from "@connectrpc/connect";
import { codeToHttpStatus, errorToJson } from "@connectrpc/connect/protocol-connect";
import {
  ExportFormat,
  type ExportService,
  type ExportTableResponse,
} from "../../gen/customeranalytics/v1/export_pb.js";
import type { AuthOutcome } from "./auth/authenticator.js";
import type { Handler } from "./listen.js";

/** `/v1/exports/<table>.<format>`; the table's own rules are checked by ExportTable. */
const DOWNLOAD = /^\/v1\/exports\/([^/]+)\.([a-z]+)$/;

const FORMATS: Readonly<Record<string, ExportFormat>> = {
  csv: ExportFormat.CSV,
  ndjson: ExportFormat.NDJSON,
  parquet: ExportFormat.PARQUET,
};

/** The query parameter that names the columns; every other parameter is a filter. */
const COLUMNS = "columns";

/** What the download route calls and checks. */
export interface ExportDownloads {
  /**
   * ExportService, in process, through the same interceptors as the wire (auth, deadline,
   * validation, logging and metrics): a download is an ExportTable call with other framing.
   */
  readonly client: Client<typeof ExportService>;
  /** The live snapshot's id, to answer a matching If-None-Match without writing the file. */
  readonly liveSnapshotId: () => string | undefined;
  /** Whether a credential is good, for the 304 answer (which writes no file, so runs no RPC). */
  readonly authorize: (authorization: string | undefined) => AuthOutcome;
}

type Req = http.IncomingMessage | http2.Http2ServerRequest;
type Res = http.ServerResponse | http2.Http2ServerResponse;

/**
 * `GET /v1/exports/<table>.<csv|ndjson|parquet>?columns=a,b&<column>=<value>...` for BI tools,
 * scripts and `curl -OJ`: the bytes ExportTable streams, with its limits and its credential
 * (`Authorization: Bearer`), as one plain HTTP file. `Content-Disposition` names the file after
 * the table and the snapshot; `ETag` is the snapshot id, so a re-download of an unchanged
 * snapshot with `If-None-Match` is `304 Not Modified`. A filter parameter given twice keeps
 * rows matching either value. Errors answer the Connect error body with the code's status.
 */
export function withExportDownloads(next: Handler, downloads: ExportDownloads): Handler {
  return (req, res) => {
    const [path = "/", query = ""] = (req.url ?? "/").split("?", 2);
    const match = DOWNLOAD.exec(path);
    if ((req.method !== "GET" && req.method !== "HEAD") || match === null) return next(req, res);
    const [, table = "", extension = ""] = match;
    const format = FORMATS[extension];
    if (format === undefined) {
      const known = Object.keys(FORMATS).join(", ");
      return fail(
        res,
        new ConnectError(`no export format "${extension}"; use ${known}`, Code.NotFound),
      );
    }
    const authorization = req.headers.authorization;
    const live = downloads.liveSnapshotId();
    if (live !== undefined && matches(req.headers["if-none-match"], live)) {
      const outcome = downloads.authorize(authorization);
      if (outcome.kind === "open" || outcome.kind === "ok") {
        res.statusCode = 304;
        res.setHeader("etag", etag(live));
        res.end();
        return;
      }
    }
    void download(req, res, downloads, { table, format, ...parseQuery(query) }, authorization);
  };
}

function parseQuery(query: string): {
  columns: string[];
  filters: { column: string; values: string[] }[];
} {
  const params = new URLSearchParams(query);
  const columns = params
    .getAll(COLUMNS)
    .flatMap((c) => c.split(","))
    .filter((c) => c !== "");
  const names = [...new Set(params.keys())].filter((k) => k !== COLUMNS);
  return { columns, filters: names.map((column) => ({ column, values: params.getAll(column) })) };
}

async function download(
  req: Req,
  res: Res,
  downloads: ExportDownloads,
  request: {
    table: string;
    format: ExportFormat;
    columns: string[];
    filters: { column: string; values: string[] }[];
  },
  authorization: string | undefined,
): Promise<void> {
  const abort = new AbortController();
  res.on("close", () => abort.abort());
  const stream = downloads.client.exportTable(request, {
    signal: abort.signal,
    ...(authorization === undefined ? {} : { headers: { authorization } }),
  });
  const messages = stream[Symbol.asyncIterator]();
  try {
    await send(req, res, messages, abort);
  } finally {
    // Closing the stream closes ExportTable's generator, which removes its temporary file even
    // when the client went away while a chunk was waiting to be pulled.
    await messages.return?.().catch(() => undefined);
  }
}

async function send(
  req: Req,
  res: Res,
  messages: AsyncIterator<ExportTableResponse>,
  abort: AbortController,
): Promise<void> {
  let first: IteratorResult<ExportTableResponse>;
  try {
    first = await messages.next();
  } catch (err) {
    return fail(res, ConnectError.from(err));
  }
  const info = first.done === true ? undefined : first.value.info;
  if (info === undefined)
    return fail(res, new ConnectError("the export sent no file", Code.Internal));
  const snapshotId = info.meta?.snapshotId ?? "";
  if (snapshotId !== "" && matches(req.headers["if-none-match"], snapshotId)) {
    res.statusCode = 304;
    res.setHeader("etag", etag(snapshotId));
    res.end();
    return;
  }
  res.statusCode = 200;
  res.setHeader("content-type", info.contentType);
  res.setHeader("content-length", String(info.totalBytes));
  res.setHeader("content-disposition", `attachment; filename="${info.fileName}"`);
  if (snapshotId !== "") res.setHeader("etag", etag(snapshotId));
  res.setHeader("cache-control", "no-cache");
  res.setHeader("x-total-rows", String(info.totalRows));
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  try {
    if (!first.done) await write(res, first.value.chunk, abort.signal);
    for (let next = await messages.next(); next.done !== true; next = await messages.next()) {
      await write(res, next.value.chunk, abort.signal);
    }
    res.end();
  } catch {
    // Headers are gone: all a client can be told is that the file is short.
    abort.abort();
    res.destroy();
  }
}

/**
 * Writes a chunk, waiting for the socket to drain so a slow client holds no more than a chunk;
 * rejects once the client has gone (`gone` aborts on the response's close).
 */
function write(res: Res, chunk: Uint8Array, gone: AbortSignal): Promise<void> {
  if (chunk.length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const away = () => reject(new Error("the client went away"));
    if (gone.aborted) return away();
    const ok = (res as http.ServerResponse).write(chunk);
    if (ok) return resolve();
    const drained = () => {
      gone.removeEventListener("abort", onGone);
      resolve();
    };
    const onGone = () => {
      res.off("drain", drained);
      away();
    };
    res.once("drain", drained);
    gone.addEventListener("abort", onGone, { once: true });
  });
}

function etag(snapshotId: string): string {
  return `"${snapshotId}"`;
}

/** Whether an If-None-Match header names this snapshot (or is `*`). */
function matches(header: string | undefined, snapshotId: string): boolean {
  if (header === undefined) return false;
  return header.split(",").some((t) => {
    const tag = t.trim().replace(/^W\//, "");
    return tag === "*" || tag === etag(snapshotId);
  });
}

function fail(res: Res, err: ConnectError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = codeToHttpStatus(err.code);
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.setHeader("cache-control", "no-store");
  if (status === 401) res.setHeader("www-authenticate", 'Bearer realm="exports"');
  res.end(JSON.stringify(errorToJson(err, undefined)));
}

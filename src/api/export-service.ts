import type { MessageInitShape } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { Logger } from "pino";
import {
  ExportFormat,
  type ExportInfoSchema,
  type ExportService,
  type ExportTableRequest,
  type ExportTableResponseSchema,
} from "../../gen/customeranalytics/v1/export_pb.js";
import { type ExportWriter, planExport, writeExport } from "../query/export-queries.js";
import { ExportRowCounter } from "../query/export-row-counter.js";
import type { ExportFiles } from "../snapshot/export-files.js";
import type { ExportFileFormat } from "../snapshot/snapshot-export.js";
import { ExportSlots } from "./export-slots.js";
import { enumArg, int64 } from "./message-values.js";
import { readPolicy, resultMeta } from "./read-options.js";

/** Bytes per streamed chunk: large enough to keep the stream cheap, small enough for any proxy. */
export const EXPORT_CHUNK_BYTES = 256 * 1024;

const FORMATS: ReadonlyMap<ExportFormat, ExportFileFormat> = new Map([
  [ExportFormat.CSV, "csv"],
  [ExportFormat.NDJSON, "ndjson"],
  [ExportFormat.PARQUET, "parquet"],
]);

const FILE_TYPE: Readonly<
  Record<ExportFileFormat, { extension: string; contentType: string; format: ExportFormat }>
> = {
  csv: { extension: "csv", contentType: "text/csv", format: ExportFormat.CSV },
  ndjson: { extension: "ndjson", contentType: "application/x-ndjson", format: ExportFormat.NDJSON },
  parquet: {
    extension: "parquet",
    contentType: "application/vnd.apache.parquet",
    format: ExportFormat.PARQUET,
  },
};

/** How long a caller may leave a chunk untaken, and how many exports may run at once. */
export interface ExportCallLimits {
  /** EXPORT_STALL_TIMEOUT. */
  readonly stallTimeoutMs: number;
  /** EXPORT_MAX_CONCURRENT. */
  readonly maxConcurrent: number;
  /** EXPORT_MAX_PER_CALLER. */
  readonly maxPerCaller: number;
}

/** The defaults of {@link ExportCallLimits}, as docs/deployment.md lists them. */
export const DEFAULT_EXPORT_CALL_LIMITS: ExportCallLimits = {
  stallTimeoutMs: 60_000,
  maxConcurrent: 16,
  maxPerCaller: 4,
};

/** What ExportService needs: the snapshot store (its COPY and its export files) and limits. */
export interface ExportView {
  readonly store: ExportWriter & {
    readonly exports: Pick<ExportFiles, "ensure" | "newPath" | "size" | "chunks" | "remove">;
  };
  /** MAX_EXPORT_ROWS. */
  readonly maxRows: number;
  /** DEFAULT_MAX_STALENESS, for reporting a stale snapshot in ResultMeta. */
  readonly defaultMaxStalenessMs: number;
  /** Where a stalled export is reported. */
  readonly log: Pick<Logger, "warn">;
  /** The stall timeout and the caps; the defaults when absent. */
  readonly limits?: ExportCallLimits;
  /** Who is calling (the principal's name, or the peer address when auth is off). */
  readonly callerOf?: (ctx: HandlerContext) => string;
  /** Ends the call on the wire (the transport's own cancel), for a caller that stopped reading. */
  readonly endCall?: (ctx: HandlerContext) => void;
  /** Told when a cap refuses an export, with the setting's name (for the metric). */
  readonly onRefused?: (limit: string) => void;
}

type Response = MessageInitShape<typeof ExportTableResponseSchema>;

/**
 * ExportService: the request checked against the allow-lists, a slot taken under the caps, the
 * file written by DuckDB from the snapshot into `DATA_DIR/exports`, then streamed in chunks
 * with progress. The file and the slot are given back whichever comes first: the stream ends or
 * fails, the call's signal aborts (the caller reset the stream or closed the connection, even
 * while a write is waiting and the generator can never resume), or a chunk stays untaken for
 * the stall timeout (then the call is also ended on the wire). Errors are mapped to codes by
 * the observe interceptor, which follows the stream, like every other RPC's.
 */
export function exportService(view: ExportView): ServiceImpl<typeof ExportService> {
  const files = view.store.exports;
  const limits = view.limits ?? DEFAULT_EXPORT_CALL_LIMITS;
  const slots = new ExportSlots(
    { total: limits.maxConcurrent, perCaller: limits.maxPerCaller },
    view.onRefused,
  );
  return { exportTable: (req, ctx) => exportStream(req, ctx) };

  async function* exportStream(
    req: ExportTableRequest,
    ctx: HandlerContext,
  ): AsyncGenerator<Response> {
    const format = enumArg(FORMATS, req.format, "format") ?? "csv";
    const plan = planExport({
      table: req.table,
      format,
      columns: req.columns,
      filters: req.filters.map((f) => ({ column: f.column, values: f.values })),
    });
    const type = FILE_TYPE[format];
    const release = slots.take(view.callerOf?.(ctx) ?? "");
    await files.ensure().catch((err: unknown) => {
      release();
      throw err;
    });
    const path = files.newPath(type.extension);
    let removal: Promise<void> | undefined;
    let stall: NodeJS.Timeout | undefined;
    const end = (): Promise<void> => {
      if (removal !== undefined) return removal;
      clearTimeout(stall);
      release();
      ctx.signal.removeEventListener("abort", onAbort);
      removal = files.remove(path);
      return removal;
    };
    const onAbort = () => void end();
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    const stalled = () => {
      view.log.warn(
        { table: plan.table, stallTimeoutMs: limits.stallTimeoutMs },
        "export stalled: the caller took no chunk within EXPORT_STALL_TIMEOUT; the call was ended",
      );
      void end();
      view.endCall?.(ctx);
    };
    try {
      const { rows, meta } = await writeExport(view.store, plan, {
        path,
        maxRows: view.maxRows,
        policy: readPolicy(req.readOptions),
        defaultMaxStalenessMs: view.defaultMaxStalenessMs,
        signal: ctx.signal,
      });
      const totalBytes = await files.size(path);
      const info: MessageInitShape<typeof ExportInfoSchema> = {
        table: plan.table,
        format: type.format,
        contentType: type.contentType,
        fileName: `${plan.table}-${meta.snapshotId}.${type.extension}`,
        columns: [...plan.columns],
        totalRows: int64(rows),
        totalBytes: int64(totalBytes),
        meta: resultMeta(meta),
      };
      const counter = new ExportRowCounter(format, rows);
      const progress = (rowsSent: number, bytesSent: number): Response["progress"] => ({
        rowsSent: int64(rowsSent),
        totalRows: int64(rows),
        bytesSent: int64(bytesSent),
        totalBytes: int64(totalBytes),
      });
      let sent = 0;
      let first = true;
      for await (const chunk of files.chunks(path, EXPORT_CHUNK_BYTES, ctx.signal)) {
        sent += chunk.length;
        const rowsSent = counter.add(chunk, sent >= totalBytes);
        stall = setTimeout(stalled, limits.stallTimeoutMs);
        try {
          yield { ...(first ? { info } : {}), chunk, progress: progress(rowsSent, sent) };
        } finally {
          clearTimeout(stall);
        }
        first = false;
      }
      if (first) yield { info, chunk: new Uint8Array(0), progress: progress(rows, 0) };
    } finally {
      await end();
      // A cancel during the COPY may have removed the path before DuckDB created it.
      await files.remove(path);
    }
  }
}

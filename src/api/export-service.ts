import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
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
import { connectErrorFrom } from "./connect-error-from.js";
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

/** What ExportService needs: the snapshot store (its COPY and its export files) and limits. */
export interface ExportView {
  readonly store: ExportWriter & {
    readonly exports: Pick<ExportFiles, "ensure" | "newPath" | "size" | "chunks" | "remove">;
  };
  /** MAX_EXPORT_ROWS. */
  readonly maxRows: number;
  /** DEFAULT_MAX_STALENESS, for reporting a stale snapshot in ResultMeta. */
  readonly defaultMaxStalenessMs: number;
  /** Where a fault of ours is logged; the caller sees a bare INTERNAL. */
  readonly log: Pick<Logger, "error">;
}

type Response = MessageInitShape<typeof ExportTableResponseSchema>;

/**
 * ExportService: the request checked against the allow-lists, the file written by DuckDB from
 * the snapshot into `DATA_DIR/exports`, then streamed in chunks with progress. The temporary
 * file is removed when the stream ends, fails, or the caller goes away (the signal aborts, or
 * Connect stops pulling and closes the generator).
 */
export function exportService(view: ExportView): ServiceImpl<typeof ExportService> {
  const files = view.store.exports;
  return {
    /*
     * Errors of a stream surface after the interceptors have returned, so they are mapped to
     * codes here, through the one mapping every RPC uses.
     */
    async *exportTable(req, ctx) {
      try {
        yield* exportStream(req, ctx);
      } catch (err) {
        const mapped = connectErrorFrom(err, ctx.signal);
        if (mapped.code === Code.Internal) view.log.error({ err }, "export failed");
        throw mapped;
      }
    },
  };

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
    await files.ensure();
    const path = files.newPath(type.extension);
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
        yield { ...(first ? { info } : {}), chunk, progress: progress(rowsSent, sent) };
        first = false;
      }
      if (first) yield { info, chunk: new Uint8Array(0), progress: progress(rows, 0) };
    } finally {
      await files.remove(path);
    }
  }
}

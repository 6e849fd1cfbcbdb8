/**
 * Large results: rows beyond the inline limit are cut into chunks that the driver downloads
 * from absolute URLs on the emulator (`/__chunks/<queryId>/<n>`), as it would from S3. A
 * chunk body is the rows' JSON arrays joined by commas without outer brackets, sent as
 * `binary/octet-stream` — gzipped with `Content-Encoding: gzip` by default. The driver sends
 * the `chunkHeaders` of the result with each download; the emulator checks the key in them.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { FaultController } from "./faults.js";
import { sendText } from "./http-util.js";
import type { EmulatorStats } from "./types.js";

const gzipAsync = promisify(gzip);

/** The header carrying the per-result key, as S3's SSE-C header. */
export const CHUNK_KEY_HEADER = "x-amz-server-side-encryption-customer-key";

/** One encoded row: strings, or null for SQL NULL. */
export type WireRow = (string | null)[];

/** One chunk's rows, already as body text. */
export interface ChunkBody {
  readonly body: string;
  readonly rowCount: number;
}

/** Collects encoded rows into an inline part and chunk bodies. */
export class RowCollector {
  /** Rows sent inline in `rowset`. */
  readonly inline: WireRow[] = [];
  /** Rows beyond the inline limit, cut into chunks. */
  readonly chunks: ChunkBody[] = [];
  private pending: string[] = [];
  /** Total rows added. */
  total = 0;

  /**
   * @param inlineLimit rows sent inline when the result is small (or as the first part)
   * @param chunkRows rows per chunk
   */
  constructor(
    private readonly inlineLimit: number,
    private readonly chunkRows: number,
  ) {}

  /** Adds one row. */
  add(row: WireRow): void {
    this.total += 1;
    if (this.inline.length < this.inlineLimit) {
      this.inline.push(row);
      return;
    }
    this.pending.push(JSON.stringify(row));
    if (this.pending.length >= this.chunkRows) this.flush();
  }

  /** Closes the last chunk. Call once after the last row. */
  finish(): void {
    this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.chunks.push({ body: this.pending.join(","), rowCount: this.pending.length });
    this.pending = [];
  }
}

/** What a result response says about its chunks. */
export interface ChunkManifest {
  readonly chunks: { url: string; rowCount: number; uncompressedSize: number }[];
  readonly qrmk: string;
  readonly chunkHeaders: Record<string, string>;
}

interface StoredChunks {
  readonly key: string;
  readonly chunks: readonly ChunkBody[];
}

/** Keeps chunk bodies of recent results and serves them. */
export class ChunkStore {
  private readonly results = new Map<string, StoredChunks>();

  /**
   * @param maxResults results kept (oldest forgotten first)
   * @param gzipChunks whether bodies are gzipped on the wire
   */
  constructor(
    private readonly maxResults: number,
    private readonly gzipChunks: boolean,
  ) {}

  /** Stores a result's chunks (under its query id) and gives them a fresh key. */
  store(queryId: string, chunks: readonly ChunkBody[]): void {
    this.results.set(queryId, { key: randomBytes(32).toString("base64"), chunks });
    while (this.results.size > this.maxResults) {
      const oldest = this.results.keys().next().value;
      if (oldest === undefined) break;
      this.results.delete(oldest);
    }
  }

  /** The chunk part of a result response (undefined when the result has no chunks). */
  manifest(queryId: string, baseUrl: string): ChunkManifest | undefined {
    const stored = this.results.get(queryId);
    if (stored === undefined || stored.chunks.length === 0) return undefined;
    return {
      chunks: stored.chunks.map((chunk, index) => ({
        url: `${baseUrl}/__chunks/${queryId}/${index}`,
        rowCount: chunk.rowCount,
        uncompressedSize: Buffer.byteLength(chunk.body),
      })),
      qrmk: stored.key,
      chunkHeaders: {
        [CHUNK_KEY_HEADER]: stored.key,
        "x-amz-server-side-encryption-customer-algorithm": "AES256",
      },
    };
  }

  /** Forgets every stored result. */
  clear(): void {
    this.results.clear();
  }

  /** Answers one chunk download, applying chunk faults. */
  async serve(
    res: ServerResponse,
    request: { queryId: string; index: number; key: string | undefined },
    faults: FaultController,
    stats: EmulatorStats,
  ): Promise<void> {
    const stored = this.results.get(request.queryId);
    const chunk = stored?.chunks[request.index];
    if (stored === undefined || chunk === undefined) {
      stats.chunks.failed += 1;
      sendText(res, 404, "NoSuchKey: the chunk does not exist or has expired");
      return;
    }
    if (request.key !== stored.key) {
      stats.chunks.failed += 1;
      sendText(res, 403, "AccessDenied: wrong or missing chunk key header");
      return;
    }
    const failure = faults.takeChunkFailure();
    if (failure !== undefined) {
      stats.chunks.failed += 1;
      sendText(res, failure, `emulated chunk failure (HTTP ${failure})`);
      return;
    }
    const raw = Buffer.from(chunk.body, "utf8");
    const body = this.gzipChunks ? await gzipAsync(raw, { level: 1 }) : raw;
    const headers: Record<string, string | number> = {
      "Content-Type": "binary/octet-stream",
      "Content-Length": body.length,
    };
    if (this.gzipChunks) headers["Content-Encoding"] = "gzip";
    const drop = faults.takeChunkDrop();
    res.writeHead(200, headers);
    if (drop !== undefined) {
      stats.chunks.dropped += 1;
      const cut = Math.max(
        1,
        Math.min(body.length - 1, drop.afterBytes ?? Math.floor(body.length / 2)),
      );
      res.write(body.subarray(0, cut), () => res.socket?.destroy());
      return;
    }
    stats.chunks.served += 1;
    stats.chunks.bytes += body.length;
    res.end(body);
  }
}

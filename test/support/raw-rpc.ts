import * as http from "node:http";
import * as http2 from "node:http2";

// Raw HTTP for requests no client library would send: bodies that are not messages, broken
// gRPC framing, wrong content types. HTTP/1.1 through node:http (so Content-Length and body can
// disagree), gRPC through a prior-knowledge h2c session.

/** What came back, whatever the protocol. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly trailers: Record<string, string>;
  readonly body: Buffer;
  /** How long the answer took, in milliseconds. */
  readonly ms: number;
}

export interface Http1Request {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array | string;
  /** Leave the request unfinished after the body (a stalled client). */
  readonly stall?: boolean;
  readonly timeoutMs: number;
}

/** One HTTP/1.1 request on its own connection. Rejects when no answer comes in time. */
export function http1(baseUrl: string, req: Http1Request): Promise<RawAnswer> {
  const started = performance.now();
  const url = new URL(req.path, baseUrl);
  return new Promise((resolve, reject) => {
    const r = http.request(
      url,
      { method: req.method ?? "POST", headers: req.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: flat(res.headers),
            trailers: flat(res.trailers),
            body: Buffer.concat(chunks),
            ms: performance.now() - started,
          });
          if (req.stall === true) r.destroy();
        });
      },
    );
    r.setTimeout(req.timeoutMs, () => r.destroy(new Error(`no answer within ${req.timeoutMs} ms`)));
    r.on("error", reject);
    if (req.body !== undefined) r.write(req.body);
    if (req.stall !== true) r.end();
  });
}

export interface H2Request {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
  /** Leave the request stream open after the body (a stalled client). */
  readonly stall?: boolean;
  readonly timeoutMs: number;
}

/** One request on an h2c session. Rejects when no full answer comes in time. */
export function h2(session: http2.ClientHttp2Session, req: H2Request): Promise<RawAnswer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":method": "POST", ":path": req.path, ...req.headers });
    let headers: Record<string, string> = {};
    let trailers: Record<string, string> = {};
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      reject(new Error(`no answer within ${req.timeoutMs} ms`));
    }, req.timeoutMs);
    stream.on("response", (h) => {
      headers = flat(h);
    });
    stream.on("trailers", (t) => {
      trailers = flat(t);
    });
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    // The answer is complete at the end of the response (after its trailers); a server may
    // answer before it has read the whole request, so do not wait for the stream to close.
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        status: Number(headers[":status"] ?? 0),
        headers,
        trailers,
        body: Buffer.concat(chunks),
        ms: performance.now() - started,
      });
      if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
    };
    stream.on("end", done);
    stream.on("close", done);
    if (req.stall === true) stream.write(req.body);
    else stream.end(req.body);
  });
}

/** A gRPC / Connect-streaming envelope: flags, a big-endian length, the payload. */
export function envelope(payload: Uint8Array, flags = 0, claimedLength = payload.length): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(flags, 0);
  head.writeUInt32BE(claimedLength >>> 0, 1);
  return Buffer.concat([head, payload]);
}

/** The gRPC status of an answer (trailers, or headers for a trailers-only answer). */
export function grpcStatus(answer: RawAnswer): { code: number | undefined; message: string } {
  const raw = answer.trailers["grpc-status"] ?? answer.headers["grpc-status"];
  const message = answer.trailers["grpc-message"] ?? answer.headers["grpc-message"] ?? "";
  return { code: raw === undefined ? undefined : Number(raw), message: safeDecode(message) };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function flat(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

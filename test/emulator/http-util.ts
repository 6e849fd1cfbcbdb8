/**
 * Small HTTP and JSON helpers shared by the emulator's request handlers.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { gunzipSync } from "node:zlib";
import type { Json } from "./types.js";

/** The most request body the emulator reads (bodies larger than this are refused). */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Reads a request body, un-gzipping it when the client says it is gzipped. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    const buf = part instanceof Buffer ? part : Buffer.from(String(part));
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new Error("request body too large");
    parts.push(buf);
  }
  const raw = Buffer.concat(parts);
  return req.headers["content-encoding"] === "gzip" && raw.length > 0 ? gunzipSync(raw) : raw;
}

/** Parses a JSON body; an empty body is `{}`. Throws on malformed JSON. */
export function parseJsonBody(body: Buffer): unknown {
  const text = body.toString("utf8").trim();
  return text === "" ? {} : (JSON.parse(text) as unknown);
}

/** Sends a JSON reply with `Content-Type: application/json` (the driver needs it). */
export function sendJson(res: ServerResponse, status: number, body: Json | object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** Sends a plain-text reply (used for injected HTTP errors and chunk errors). */
export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    "Content-Type": "text/plain",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** Extracts the token of an `Authorization: Snowflake Token="…"` header, if present. */
export function snowflakeToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Snowflake\s+Token="([^"]*)"$/i.exec(header.trim());
  return match?.[1];
}

/** Narrows an unknown value to a plain object. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Narrows an unknown value to a string. */
export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Narrows an unknown value to a finite number. */
export function asNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/**
 * Resolves after `ms` milliseconds, or as soon as `signal` aborts (then with `false`).
 * Resolves `true` when the full time passed.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve(false);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Quotes a string as a SQL string literal (single quotes doubled). */
export function sqlStringLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Quotes a name as a SQL identifier (double quotes doubled). */
export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

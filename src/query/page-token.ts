import { createHmac, timingSafeEqual } from "node:crypto";
import { AppError } from "../app-error.js";

/**
 * The key that seals page tokens. Tokens are opaque to callers but not secret: the seal exists
 * to tell a token this service issued for this very listing from a tampered, truncated or
 * foreign one, which would otherwise silently start a page in the wrong place.
 */
const SEAL_KEY = "customeranalytics.v1/page-token";

/**
 * Encodes the last key of a page, bound to the listing it came from: `scope` names the RPC and
 * every filter, so a token replayed with other filters is refused instead of skipping rows.
 */
export function encodePageToken(scope: string, key: readonly (string | null)[]): string {
  const body = Buffer.from(JSON.stringify({ s: scope, k: key })).toString("base64url");
  return `${body}.${seal(body)}`;
}

/**
 * Decodes a token made by {@link encodePageToken} for the same scope, or undefined for an
 * empty token. Anything else is INVALID_ARGUMENT naming `page_token`, and so is a key that
 * `usable` refuses: the seal key is public, so a well-sealed token may still carry any key, and
 * a listing that binds its key as anything but text says here what it can use.
 */
export function decodePageToken(
  token: string,
  scope: string,
  keyLength: number,
  usable: (key: readonly (string | null)[]) => boolean = () => true,
): (string | null)[] | undefined {
  if (token === "") return undefined;
  const [body, mac, extra] = token.split(".");
  if (body === undefined || mac === undefined || extra !== undefined || !sealMatches(body, mac)) {
    throw invalidToken("it was not issued by this service or was altered");
  }
  const parsed = parseBody(body);
  if (!isTokenBody(parsed) || parsed.k.length !== keyLength) {
    throw invalidToken("it was not issued by this service or was altered");
  }
  if (parsed.s !== scope) {
    throw invalidToken("it belongs to a listing with other filters; start again without a token");
  }
  if (!usable(parsed.k)) throw invalidToken("it was not issued by this service or was altered");
  return parsed.k;
}

/** Canonical scope text for a listing: the RPC name and its filters, in a fixed order. */
export function pageScope(rpc: string, filters: readonly unknown[]): string {
  return JSON.stringify([rpc, ...filters]);
}

function seal(body: string): string {
  return createHmac("sha256", SEAL_KEY).update(body).digest("base64url").slice(0, 22);
}

function sealMatches(body: string, mac: string): boolean {
  const expected = Buffer.from(seal(body));
  const given = Buffer.from(mac);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The body's JSON, or undefined when it is not JSON (the seal key is public, so it may not be). */
function parseBody(body: string): unknown {
  try {
    return JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

function isTokenBody(value: unknown): value is { s: string; k: (string | null)[] } {
  if (typeof value !== "object" || value === null) return false;
  const { s, k } = value as { s?: unknown; k?: unknown };
  return (
    typeof s === "string" &&
    Array.isArray(k) &&
    k.every((part) => typeof part === "string" || part === null)
  );
}

function invalidToken(why: string): AppError {
  return new AppError("invalid_argument", `page_token is not valid: ${why}`, {
    field: "page_token",
  });
}

/** Page size when a request leaves it 0, as docs/architecture.md's conventions give it. */
export const DEFAULT_PAGE_SIZE = 50;

/** The page size a request asked for, or {@link DEFAULT_PAGE_SIZE} when it left it 0. */
export function effectivePageSize(requested: number): number {
  return requested > 0 ? requested : DEFAULT_PAGE_SIZE;
}

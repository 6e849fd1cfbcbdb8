/**
 * Fault injection: latency, HTTP errors, dropped or failed chunk downloads, session expiry,
 * hanging and slow queries, rejected logins. Faults with a count are consumed by the
 * requests they hit, so a test can say "the next two query-requests fail" exactly.
 *
 * @module
 */
import { asNumber, asRecord, asString } from "./http-util.js";
import type { FaultConfig } from "./types.js";

/** `T` with its fields, and the fields of its object fields, writable (counts are decremented). */
type Mutable<T> = {
  -readonly [K in keyof T]: T[K] extends infer V
    ? V extends object
      ? { -readonly [P in keyof V]: V[P] }
      : V
    : never;
};

/** Holds the active faults and hands them out to the handlers. */
export class FaultController {
  private faults: Mutable<FaultConfig> = {};

  /** @param onInjected called with the fault's name each time one is applied */
  constructor(private readonly onInjected: (name: string) => void) {}

  /** Adds or replaces the given faults, keeping the others. */
  set(config: FaultConfig): void {
    const next: Mutable<FaultConfig> = { ...this.faults };
    for (const [key, value] of Object.entries(config)) {
      if (value === undefined) continue;
      Object.assign(next, { [key]: typeof value === "object" ? { ...value } : value });
    }
    this.faults = next;
  }

  /** Removes every fault. */
  clear(): void {
    this.faults = {};
  }

  /** The faults still active (counts as they are now). */
  current(): FaultConfig {
    return JSON.parse(JSON.stringify(this.faults)) as FaultConfig;
  }

  /** Milliseconds to wait before answering a protocol request. */
  latencyMs(): number {
    const ms = this.faults.latencyMs ?? 0;
    if (ms > 0) this.onInjected("latency");
    return ms;
  }

  /** HTTP status to answer `path` with instead of handling it, if a 5xx fault matches. */
  takeHttpError(path: string): number | undefined {
    const fault = this.faults.http5xx;
    if (fault === undefined || fault.count <= 0) return undefined;
    if (fault.pathPattern !== undefined && !new RegExp(fault.pathPattern).test(path))
      return undefined;
    fault.count -= 1;
    if (fault.count <= 0) delete this.faults.http5xx;
    this.onInjected("http5xx");
    return fault.status ?? 503;
  }

  /** Status to fail the next chunk download with, if any. */
  takeChunkFailure(): number | undefined {
    const fault = this.faults.failChunks;
    if (fault === undefined || fault.count <= 0) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) delete this.faults.failChunks;
    this.onInjected("failChunks");
    return fault.status ?? 404;
  }

  /** Whether to drop the next chunk download, and after how many bytes. */
  takeChunkDrop(): { afterBytes?: number } | undefined {
    const fault = this.faults.dropChunks;
    if (fault === undefined || fault.count <= 0) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) delete this.faults.dropChunks;
    this.onInjected("dropChunks");
    return fault.afterBytes === undefined ? {} : { afterBytes: fault.afterBytes };
  }

  /** Whether this query-request must answer 390112 (session expired). */
  takeSessionExpiry(): boolean {
    const left = this.faults.expireSessions ?? 0;
    if (left <= 0) return false;
    this.faults.expireSessions = left - 1;
    if (left - 1 <= 0) delete this.faults.expireSessions;
    this.onInjected("expireSessions");
    return true;
  }

  /** Whether the query with this text must hang until cancelled. */
  takeHang(sqlText: string): boolean {
    const fault = this.faults.hangQueries;
    if (fault === undefined || fault.count <= 0) return false;
    if (fault.sqlPattern !== undefined && !new RegExp(fault.sqlPattern, "i").test(sqlText))
      return false;
    fault.count -= 1;
    if (fault.count <= 0) delete this.faults.hangQueries;
    this.onInjected("hangQueries");
    return true;
  }

  /** Extra milliseconds the query with this text must take (0 for none). */
  takeSlow(sqlText: string): number {
    const fault = this.faults.slowQueries;
    if (fault === undefined || fault.count <= 0) return 0;
    if (fault.sqlPattern !== undefined && !new RegExp(fault.sqlPattern, "i").test(sqlText))
      return 0;
    fault.count -= 1;
    if (fault.count <= 0) delete this.faults.slowQueries;
    this.onInjected("slowQueries");
    return fault.delayMs;
  }

  /** Status to fail this stage-file download with, if a `failDownloads` fault matches. */
  takeDownloadFailure(path: string): number | undefined {
    const fault = this.faults.failDownloads;
    if (fault === undefined || fault.count <= 0) return undefined;
    if (fault.pathPattern !== undefined && !new RegExp(fault.pathPattern).test(path))
      return undefined;
    fault.count -= 1;
    if (fault.count <= 0) delete this.faults.failDownloads;
    this.onInjected("failDownloads");
    return fault.status ?? 500;
  }

  /** How many bytes of this stage file to send, if a `truncateDownloads` fault matches. */
  takeDownloadTruncation(path: string, size: number): number | undefined {
    const fault = this.faults.truncateDownloads;
    if (fault === undefined || fault.count <= 0) return undefined;
    if (fault.pathPattern !== undefined && !new RegExp(fault.pathPattern).test(path))
      return undefined;
    fault.count -= 1;
    if (fault.count <= 0) delete this.faults.truncateDownloads;
    this.onInjected("truncateDownloads");
    return Math.min(size, fault.keepBytes ?? Math.floor(size / 2));
  }

  /** Whether this login must fail with 390100 whatever the password. */
  takeLoginRejection(): boolean {
    const left = this.faults.rejectLogins ?? 0;
    if (left <= 0) return false;
    this.faults.rejectLogins = left - 1;
    if (left - 1 <= 0) delete this.faults.rejectLogins;
    this.onInjected("rejectLogins");
    return true;
  }
}

const nonNegative = (value: unknown, field: string): number => {
  const n = asNumber(value);
  if (n === undefined || n < 0)
    throw new Error(`fault field ${field} must be a non-negative number`);
  return n;
};

const pattern = (value: unknown, field: string): string | undefined => {
  if (value === undefined) return undefined;
  const text = asString(value);
  if (text === undefined) throw new Error(`fault field ${field} must be a string`);
  new RegExp(text); // throws on an invalid pattern
  return text;
};

const counted = (value: unknown, field: string): Record<string, unknown> & { count: number } => {
  const record = asRecord(value);
  if (record === undefined) throw new Error(`fault ${field} must be an object with a count`);
  return { ...record, count: nonNegative(record.count, `${field}.count`) };
};

/** Validates a fault configuration received as JSON (the admin API). Throws a readable error. */
export function parseFaultConfig(input: unknown): FaultConfig {
  const body = asRecord(input);
  if (body === undefined) throw new Error("faults must be a JSON object");
  const known = new Set([
    "latencyMs",
    "http5xx",
    "dropChunks",
    "failChunks",
    "expireSessions",
    "hangQueries",
    "slowQueries",
    "rejectLogins",
    "failDownloads",
    "truncateDownloads",
    "reset",
  ]);
  const unknown = Object.keys(body).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new Error(`unknown fault(s): ${unknown.join(", ")}`);
  const config: Mutable<FaultConfig> = {};
  if (body.latencyMs !== undefined) config.latencyMs = nonNegative(body.latencyMs, "latencyMs");
  if (body.expireSessions !== undefined)
    config.expireSessions = nonNegative(body.expireSessions, "expireSessions");
  if (body.rejectLogins !== undefined)
    config.rejectLogins = nonNegative(body.rejectLogins, "rejectLogins");
  if (body.http5xx !== undefined) {
    const f = counted(body.http5xx, "http5xx");
    const status = f.status === undefined ? undefined : nonNegative(f.status, "http5xx.status");
    const path = pattern(f.pathPattern, "http5xx.pathPattern");
    config.http5xx = {
      count: f.count,
      ...(status === undefined ? {} : { status }),
      ...(path === undefined ? {} : { pathPattern: path }),
    };
  }
  if (body.dropChunks !== undefined) {
    const f = counted(body.dropChunks, "dropChunks");
    const afterBytes =
      f.afterBytes === undefined ? undefined : nonNegative(f.afterBytes, "dropChunks.afterBytes");
    config.dropChunks = { count: f.count, ...(afterBytes === undefined ? {} : { afterBytes }) };
  }
  if (body.failChunks !== undefined) {
    const f = counted(body.failChunks, "failChunks");
    const status = f.status === undefined ? undefined : nonNegative(f.status, "failChunks.status");
    config.failChunks = { count: f.count, ...(status === undefined ? {} : { status }) };
  }
  if (body.hangQueries !== undefined) {
    const f = counted(body.hangQueries, "hangQueries");
    const sql = pattern(f.sqlPattern, "hangQueries.sqlPattern");
    config.hangQueries = { count: f.count, ...(sql === undefined ? {} : { sqlPattern: sql }) };
  }
  if (body.slowQueries !== undefined) {
    const f = counted(body.slowQueries, "slowQueries");
    const sql = pattern(f.sqlPattern, "slowQueries.sqlPattern");
    config.slowQueries = {
      count: f.count,
      delayMs: nonNegative(f.delayMs, "slowQueries.delayMs"),
      ...(sql === undefined ? {} : { sqlPattern: sql }),
    };
  }
  if (body.failDownloads !== undefined) {
    const f = counted(body.failDownloads, "failDownloads");
    const status =
      f.status === undefined ? undefined : nonNegative(f.status, "failDownloads.status");
    const path = pattern(f.pathPattern, "failDownloads.pathPattern");
    config.failDownloads = {
      count: f.count,
      ...(status === undefined ? {} : { status }),
      ...(path === undefined ? {} : { pathPattern: path }),
    };
  }
  if (body.truncateDownloads !== undefined) {
    const f = counted(body.truncateDownloads, "truncateDownloads");
    const keep =
      f.keepBytes === undefined
        ? undefined
        : nonNegative(f.keepBytes, "truncateDownloads.keepBytes");
    const path = pattern(f.pathPattern, "truncateDownloads.pathPattern");
    config.truncateDownloads = {
      count: f.count,
      ...(keep === undefined ? {} : { keepBytes: keep }),
      ...(path === undefined ? {} : { pathPattern: path }),
    };
  }
  return config;
}

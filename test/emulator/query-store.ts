/**
 * Running and finished queries: found by query id (result polls, cancel by id, monitoring)
 * and by the driver's `requestId` (retried query-requests are not run twice; cancel before
 * the query id is known). Each query runs in the background; request handlers wait for it
 * for a bounded time and answer 333333 when it is still running.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import type { WireRow } from "./chunks.js";
import type { RowTypeEntry } from "./result-encoding.js";
import type { Session } from "./session-store.js";
import { CANCELED } from "./sql-errors.js";
import type { SnowflakeErrorInfo } from "./types.js";

/** A finished statement's result, ready to be put in a reply. */
export interface QueryResult {
  readonly rowtype: readonly RowTypeEntry[];
  /** Rows sent inline. */
  readonly rowset: readonly WireRow[];
  /** Rows in all, inline plus chunks. */
  readonly total: number;
  readonly statementTypeId: number;
  /** Statement kind for the stats (`select`, `insert`, …). */
  readonly kind: string;
  /** A `GET`'s file-transfer fields, sent in the reply's `data` for the driver to act on. */
  readonly fileTransfer?: Readonly<Record<string, unknown>>;
}

/** How a query ended. */
export type QueryOutcome =
  | { readonly kind: "result"; readonly result: QueryResult }
  | { readonly kind: "error"; readonly error: SnowflakeErrorInfo };

/** Monitoring status names, as `/monitoring/queries/<id>` reports them. */
export type QueryStatus = "RUNNING" | "SUCCESS" | "FAILED_WITH_ERROR" | "ABORTED";

/** One query, running or finished. */
export interface QueryRecord {
  readonly queryId: string;
  readonly requestId: string | undefined;
  readonly sqlText: string;
  readonly session: Session;
  readonly startedAt: number;
  endedAt: number | undefined;
  status: QueryStatus;
  outcome: QueryOutcome | undefined;
  /** Settles when the query has finished (never rejects). */
  readonly done: Promise<void>;
  /** Aborted by a cancel request or when the emulator closes. */
  readonly abort: AbortController;
}

/** All queries the emulator remembers (the most recent `maxRecords`). */
export class QueryStore {
  private readonly byId = new Map<string, QueryRecord>();
  private readonly byRequest = new Map<string, QueryRecord>();
  private readonly precanceled = new Map<string, number>();

  /** @param maxRecords finished queries remembered (oldest forgotten first) */
  constructor(private readonly maxRecords: number) {}

  /** Starts `run` in the background as a new query and returns its record at once. */
  start(
    init: { requestId: string | undefined; sqlText: string; session: Session },
    run: (record: QueryRecord) => Promise<QueryOutcome>,
  ): QueryRecord {
    const abort = new AbortController();
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const record: QueryRecord = {
      queryId: randomUUID(),
      ...init,
      startedAt: Date.now(),
      endedAt: undefined,
      status: "RUNNING",
      outcome: undefined,
      done,
      abort,
    };
    this.byId.set(record.queryId, record);
    if (init.requestId !== undefined) {
      this.byRequest.set(init.requestId, record);
      if (this.precanceled.delete(init.requestId)) abort.abort();
    }
    this.prune();
    const settle = (outcome: QueryOutcome): void => {
      const canceled = abort.signal.aborted;
      record.outcome = canceled ? { kind: "error", error: CANCELED } : outcome;
      record.status = canceled
        ? "ABORTED"
        : outcome.kind === "result"
          ? "SUCCESS"
          : "FAILED_WITH_ERROR";
      record.endedAt = Date.now();
      finish();
    };
    run(record).then(settle, (error: unknown) =>
      settle({
        kind: "error",
        error: { code: "000603", sqlState: "XX000", type: "EXECUTION", message: String(error) },
      }),
    );
    return record;
  }

  /** The query with this id. */
  get(queryId: string): QueryRecord | undefined {
    return this.byId.get(queryId);
  }

  /** The query started by this `requestId` (for retried requests and cancel-by-request). */
  byRequestId(requestId: string): QueryRecord | undefined {
    return this.byRequest.get(requestId);
  }

  /** Waits up to `ms` for the query to finish; true when it has. */
  async waitFor(record: QueryRecord, ms: number): Promise<boolean> {
    if (record.outcome !== undefined) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    try {
      return await Promise.race([record.done.then(() => true as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Cancels a query. Returns false when it had already finished. A cancel for a `requestId`
   * not seen yet is remembered for a minute, so a query-request arriving after its own
   * cancel is cancelled at once.
   */
  cancel(target: { queryId?: string; requestId?: string }): boolean {
    const record =
      target.queryId !== undefined
        ? this.byId.get(target.queryId)
        : target.requestId !== undefined
          ? this.byRequest.get(target.requestId)
          : undefined;
    if (record === undefined) {
      if (target.requestId !== undefined) this.precanceled.set(target.requestId, Date.now());
      return target.requestId !== undefined;
    }
    if (record.outcome !== undefined) return false;
    record.abort.abort();
    return true;
  }

  /** Aborts every running query (the emulator is closing). */
  abortAll(): void {
    for (const record of this.byId.values()) if (record.outcome === undefined) record.abort.abort();
  }

  /** Waits (at most `ms`) for every running query to settle, e.g. after {@link abortAll}. */
  async drain(ms: number): Promise<void> {
    const running = [...this.byId.values()]
      .filter((r) => r.outcome === undefined)
      .map((r) => r.done);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    await Promise.race([Promise.all(running), timeout]);
    clearTimeout(timer);
  }

  /** Number of queries still running. */
  running(): number {
    let n = 0;
    for (const record of this.byId.values()) if (record.outcome === undefined) n++;
    return n;
  }

  private prune(): void {
    const cutoff = Date.now() - 60_000;
    for (const [requestId, at] of this.precanceled)
      if (at < cutoff) this.precanceled.delete(requestId);
    for (const [queryId, record] of this.byId) {
      if (this.byId.size <= this.maxRecords) break;
      if (record.outcome === undefined) continue;
      this.byId.delete(queryId);
      if (record.requestId !== undefined) this.byRequest.delete(record.requestId);
    }
  }
}

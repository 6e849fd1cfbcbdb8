/**
 * Query endpoints: `POST /queries/v1/query-request` (run a statement; answer its result, or
 * 333333 when it is still running after `asyncThresholdMs`, or 333334 at once for
 * `asyncExec`), `GET /queries/<id>/result` (long-polled), the two abort-request forms, and
 * `GET /monitoring/queries/<id>`.
 *
 * @module
 */
import { parseBindings } from "./bindings.js";
import type { EmulatorContext, RequestContext } from "./context.js";
import { asRecord, asString, parseJsonBody, sendJson, sleep, snowflakeToken } from "./http-util.js";
import { executeStatement } from "./query-executor.js";
import type { QueryOutcome, QueryRecord } from "./query-store.js";
import { resultParameters } from "./result-encoding.js";
import type { Session } from "./session-store.js";
import { CANCELED, toSnowflakeError } from "./sql-errors.js";
import { bump } from "./stats.js";
import type { SnowflakeErrorInfo } from "./types.js";

/** The error reply shape (HTTP 200, `success:false`, `data.sqlState` always present). */
export function errorReply(error: SnowflakeErrorInfo, queryId: string | undefined): object {
  return {
    success: false,
    code: error.code,
    message: error.message,
    data: {
      internalError: false,
      errorCode: error.code,
      age: 0,
      sqlState: error.sqlState,
      queryId: queryId ?? null,
      line: -1,
      pos: -1,
      type: error.type,
    },
    headers: null,
  };
}

/** The reply for a finished query (result or error). */
function outcomeReply(
  emulator: EmulatorContext,
  record: QueryRecord,
  outcome: QueryOutcome,
  baseUrl: string,
): object {
  if (outcome.kind === "error") return errorReply(outcome.error, record.queryId);
  const { result } = outcome;
  const { session } = record;
  const manifest = emulator.chunks.manifest(record.queryId, baseUrl);
  return {
    success: true,
    code: null,
    message: null,
    data: {
      parameters: resultParameters(session.jsTreatIntegerAsBigInt),
      rowtype: result.rowtype,
      rowset: result.rowset,
      total: result.total,
      returned: result.total,
      queryId: record.queryId,
      statementTypeId: result.statementTypeId,
      version: 1,
      queryResultFormat: "json",
      databaseProvider: null,
      finalDatabaseName: session.database,
      finalSchemaName: session.schema,
      finalWarehouseName: session.warehouse,
      finalRoleName: session.role,
      numberOfBinds: 0,
      arrayBindSupported: false,
      sendResultTime: Date.now(),
      ...(manifest === undefined ? {} : manifest),
      ...(result.fileTransfer ?? {}),
    },
  };
}

/** Looks up the session of the request; answers the token problem and returns undefined. */
function authenticate(ctx: RequestContext): Session | undefined {
  const found = ctx.emulator.sessions.lookup(snowflakeToken(ctx.req));
  if ("problem" in found) {
    sendJson(ctx.res, 200, {
      success: false,
      code: found.problem.code,
      message: found.problem.message,
      data: null,
      headers: null,
    });
    return undefined;
  }
  return found.session;
}

/** Waits up to `ms` for `record`, then answers its outcome or 333333. */
async function replyWhenDone(ctx: RequestContext, record: QueryRecord, ms: number): Promise<void> {
  const { emulator } = ctx;
  const done = await emulator.queries.waitFor(record, ms);
  if (!done || record.outcome === undefined) {
    emulator.stats.queries.inProgressReplies += 1;
    sendJson(ctx.res, 200, {
      success: true,
      code: "333333",
      message:
        "Asynchronous execution in progress. Use provided query id to perform query monitoring and management.",
      data: { queryId: record.queryId, getResultUrl: `/queries/${record.queryId}/result` },
    });
    return;
  }
  sendJson(ctx.res, 200, outcomeReply(emulator, record, record.outcome, ctx.baseUrl));
}

/** Runs a query in the background, applying the hang / slow faults and counting outcomes. */
function runQuery(emulator: EmulatorContext, body: Record<string, unknown>, sqlText: string) {
  return async (record: QueryRecord): Promise<QueryOutcome> => {
    const { stats, faults } = emulator;
    const signal = record.abort.signal;
    try {
      if (faults.takeHang(sqlText)) {
        await new Promise<void>((resolve) => {
          if (signal.aborted) resolve();
          else signal.addEventListener("abort", () => resolve(), { once: true });
        });
      }
      const delay = faults.takeSlow(sqlText);
      if (delay > 0) await sleep(delay, signal);
      if (signal.aborted) throw new Error("INTERRUPT");
      const result = await executeStatement(emulator, {
        sqlText,
        bindings: parseBindings(body.bindings),
        describeOnly: body.describeOnly === true,
        session: record.session,
        queryId: record.queryId,
        signal,
      });
      if (signal.aborted) throw new Error("INTERRUPT");
      stats.queries.succeeded += 1;
      bump(stats.queries.byKind, result.kind);
      return { kind: "result", result };
    } catch (error) {
      const info = signal.aborted ? CANCELED : toSnowflakeError(error);
      if (info.code === CANCELED.code) stats.queries.canceled += 1;
      else stats.queries.failed += 1;
      emulator.options.log(
        `query ${record.queryId} failed: ${info.code} ${info.message.split("\n").join(" ")}`,
      );
      return { kind: "error", error: info };
    }
  };
}

/** `POST /queries/v1/query-request`. */
export async function handleQueryRequest(ctx: RequestContext): Promise<void> {
  const { emulator } = ctx;
  const session = authenticate(ctx);
  if (session === undefined) return;
  if (emulator.faults.takeSessionExpiry()) {
    emulator.sessions.expire(session);
    sendJson(ctx.res, 200, {
      success: false,
      code: "390112",
      message: "Your session has expired. Please login again.",
      data: null,
      headers: null,
    });
    return;
  }
  const body = asRecord(parseJsonBody(ctx.body)) ?? {};
  const sqlText = asString(body.sqlText) ?? "";
  const requestId = ctx.url.searchParams.get("requestId") ?? undefined;
  emulator.stats.queries.received += 1;
  let record = requestId === undefined ? undefined : emulator.queries.byRequestId(requestId);
  if (record !== undefined) {
    emulator.stats.queries.deduplicated += 1;
  } else {
    record = emulator.queries.start(
      { requestId, sqlText, session },
      runQuery(emulator, body, sqlText),
    );
  }
  if (body.asyncExec === true) {
    emulator.stats.queries.inProgressReplies += 1;
    sendJson(ctx.res, 200, {
      success: true,
      code: "333334",
      message:
        "Asynchronous execution in progress. Use provided query id to perform query monitoring and management.",
      data: { queryId: record.queryId, getResultUrl: `/queries/${record.queryId}/result` },
    });
    return;
  }
  await replyWhenDone(ctx, record, emulator.options.asyncThresholdMs);
}

/** `GET /queries/<id>/result` — held open up to `resultPollHoldMs` while the query runs. */
export async function handleResult(ctx: RequestContext, queryId: string): Promise<void> {
  const { emulator } = ctx;
  if (authenticate(ctx) === undefined) return;
  emulator.stats.queries.resultPolls += 1;
  const record = emulator.queries.get(queryId);
  if (record === undefined) {
    sendJson(
      ctx.res,
      200,
      errorReply(
        {
          code: "000709",
          sqlState: "02000",
          type: "EXECUTION",
          message: `Statement ${queryId} not found`,
        },
        queryId,
      ),
    );
    return;
  }
  await replyWhenDone(ctx, record, emulator.options.resultPollHoldMs);
}

/** `POST /queries/v1/abort-request` (body `{requestId}`) and `POST /queries/<id>/abort-request`. */
export function handleAbort(ctx: RequestContext, queryId: string | undefined): void {
  if (authenticate(ctx) === undefined) return;
  const body = asRecord(parseJsonBody(ctx.body)) ?? {};
  const requestId = asString(body.requestId);
  const target = queryId !== undefined ? { queryId } : requestId !== undefined ? { requestId } : {};
  if (!ctx.emulator.queries.cancel(target)) {
    sendJson(
      ctx.res,
      200,
      errorReply(
        {
          code: "000605",
          sqlState: "01000",
          type: "EXECUTION",
          message: "Identified SQL statement is not currently executing.",
        },
        queryId,
      ),
    );
    return;
  }
  sendJson(ctx.res, 200, { success: true, code: null, message: null, data: null });
}

/** `GET /monitoring/queries/<id>` (used by `getQueryStatus` and `getResultsFromQueryId`). */
export function handleMonitoring(ctx: RequestContext, queryId: string): void {
  if (authenticate(ctx) === undefined) return;
  const record = ctx.emulator.queries.get(queryId);
  const error = record?.outcome?.kind === "error" ? record.outcome.error : undefined;
  const queries =
    record === undefined
      ? []
      : [
          {
            id: record.queryId,
            status: record.status,
            state: record.status === "RUNNING" ? "RUNNING" : "SUCCEEDED",
            sqlText: record.sqlText,
            startTime: record.startedAt,
            endTime: record.endedAt ?? 0,
            totalDuration: (record.endedAt ?? Date.now()) - record.startedAt,
            ...(error === undefined ? {} : { errorCode: error.code, errorMessage: error.message }),
          },
        ];
  sendJson(ctx.res, 200, { success: true, code: null, message: null, data: { queries } });
}

/**
 * The admin API for tests and benchmarks (never used by the driver; faults do not apply):
 *
 * - `POST /__emulator/sql` `{sql, params?}`: run DuckDB SQL (no Snowflake translation) with
 *   `?` parameters; writes stamp LAST_ALTERED and keep time-travel copies, like driver writes.
 * - `GET|POST|DELETE /__emulator/faults`: show, add (`{"reset": true, …}` clears first), clear.
 * - `GET /__emulator/stats`, `POST /__emulator/stats/reset`.
 * - `GET /__emulator/health`.
 *
 * @module
 */
import type { DuckDBValue } from "@duckdb/node-api";
import type { EmulatorContext, RequestContext } from "./context.js";
import { parseFaultConfig } from "./faults.js";
import { asRecord, asString, parseJsonBody, sendJson } from "./http-util.js";
import { splitStatements, tokenize } from "./sql-tokenizer.js";
import { statementKind, writeTarget } from "./statement-kind.js";
import { copyStats, emptyStats } from "./stats.js";
import type { AdminSqlParam, AdminSqlResult, Json } from "./types.js";

/**
 * Runs DuckDB SQL against the emulator's tables. Several `;`-separated statements may be
 * given when there are no parameters; the last one's result is returned.
 */
export async function runAdminSql(
  emulator: EmulatorContext,
  sql: string,
  params: readonly AdminSqlParam[] = [],
): Promise<AdminSqlResult> {
  const statements = splitStatements(tokenize(sql));
  if (statements.length === 0) throw new Error("no SQL statement given");
  if (statements.length > 1 && params.length > 0)
    throw new Error("parameters need a single statement");
  let last: AdminSqlResult = { columns: [], rows: [], rowsChanged: 0 };
  for (const tokens of statements) {
    emulator.stats.adminStatements += 1;
    const text = tokens.map((t) => t.text).join("");
    last = await emulator.db.withConnection(async (connection) => {
      const prepared = await connection.prepare(text);
      try {
        if (params.length > 0) prepared.bind([...params] as DuckDBValue[]);
        const kind = statementKind(prepared.statementType);
        if (kind === "select" || kind === "other") {
          const reader = await prepared.runAndReadAll();
          return {
            columns: reader.columnNames(),
            rows: reader.getRowsJson() as Json[][],
            rowsChanged: 0,
          };
        }
        const target = writeTarget(tokens);
        const targets =
          target !== undefined
            ? [target]
            : connection.getTableNames(text, false).map((t) => t.toLowerCase());
        const rowsChanged = await emulator.db.write(
          targets,
          kind === "ddl",
          async () => (await prepared.run()).rowsChanged,
        );
        return { columns: [], rows: [], rowsChanged };
      } finally {
        prepared.destroySync();
      }
    });
  }
  return last;
}

const isParam = (value: unknown): value is AdminSqlParam =>
  value === null || ["string", "number", "boolean", "bigint"].includes(typeof value);

/** Routes an admin request; returns false when the path is not an admin path. */
export async function handleAdmin(ctx: RequestContext): Promise<boolean> {
  const { emulator, url, req, res } = ctx;
  const path = url.pathname;
  const method = req.method ?? "GET";
  try {
    if (path === "/__emulator/health") {
      sendJson(res, 200, {
        ok: true,
        sessions: emulator.sessions.size(),
        running: emulator.queries.running(),
      });
    } else if (path === "/__emulator/sql" && method === "POST") {
      const body = asRecord(parseJsonBody(ctx.body)) ?? {};
      const sql = asString(body.sql);
      const params = body.params ?? [];
      if (sql === undefined) throw new Error("body needs a string field sql");
      if (!Array.isArray(params) || !params.every(isParam))
        throw new Error("params must be an array of scalars");
      sendJson(res, 200, await runAdminSql(emulator, sql, params));
    } else if (path === "/__emulator/faults") {
      if (method === "DELETE") emulator.faults.clear();
      if (method === "POST") {
        const body = parseJsonBody(ctx.body);
        const config = parseFaultConfig(body);
        if (asRecord(body)?.reset === true) emulator.faults.clear();
        emulator.faults.set(config);
      }
      sendJson(res, 200, emulator.faults.current());
    } else if (path === "/__emulator/stats" && method === "GET") {
      sendJson(res, 200, copyStats(emulator.stats));
    } else if (path === "/__emulator/stages" && method === "GET") {
      sendJson(res, 200, emulator.stages.allFiles());
    } else if (path === "/__emulator/stats/reset" && method === "POST") {
      emulator.stats = emptyStats();
      sendJson(res, 200, copyStats(emulator.stats));
    } else {
      return path.startsWith("/__emulator/") ? notFound(ctx) : false;
    }
  } catch (error) {
    sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
  }
  return true;
}

function notFound(ctx: RequestContext): true {
  sendJson(ctx.res, 404, { error: `no admin route ${ctx.req.method ?? ""} ${ctx.url.pathname}` });
  return true;
}

/** Resets the counters of a running emulator in place. */
export function resetStats(emulator: EmulatorContext): void {
  emulator.stats = emptyStats();
}

/**
 * Runs one Snowflake statement on the emulator's DuckDB: session statements are answered
 * directly; everything else is rewritten (`sql-rewriter.ts`), time-travel clauses are
 * resolved (the statement may run on a pinned snapshot), values are bound, and the result is
 * encoded — inline rows plus chunks stored in the chunk store. Writes go through the
 * database's write lock (LAST_ALTERED, time travel). A cancel interrupts DuckDB.
 *
 * @module
 */
import type { DuckDBConnection, DuckDBPreparedStatement } from "@duckdb/node-api";
import { type BindingRows, bindParameters } from "./bindings.js";
import { RowCollector, type WireRow } from "./chunks.js";
import type { EmulatorContext } from "./context.js";
import { sqlIdentifier, sqlStringLiteral } from "./http-util.js";
import type { QueryResult } from "./query-store.js";
import { columnEncoding, rowTypeEntry, snowflakeColumnName } from "./result-encoding.js";
import { sessionStatement } from "./session-statements.js";
import type { Session } from "./session-store.js";
import { CANCELED, statementCountError, unsupported } from "./sql-errors.js";
import { type Rewritten, rewriteStatement, type TimeTravelClause } from "./sql-rewriter.js";
import { splitStatements, type Token, tokenize } from "./sql-tokenizer.js";
import { stageStatement } from "./stage-statements.js";
import {
  ddlStatus,
  dmlResult,
  STATEMENT_TYPE_IDS,
  statementKind,
  statusResult,
  writeTarget,
} from "./statement-kind.js";
import { bump } from "./stats.js";
import type { Snapshot } from "./time-travel.js";
import { beginTransaction, type OpenTransaction, transactionVerb } from "./transactions.js";
import { SnowflakeError } from "./types.js";

/** One statement to run. */
export interface ExecuteRequest {
  readonly sqlText: string;
  readonly bindings: BindingRows;
  readonly describeOnly: boolean;
  readonly session: Session;
  readonly queryId: string;
  readonly signal: AbortSignal;
}

const canceled = (): SnowflakeError => new SnowflakeError(CANCELED);

/** Runs a statement and returns its result (chunks already stored under `queryId`). */
export async function executeStatement(
  emulator: EmulatorContext,
  request: ExecuteRequest,
): Promise<QueryResult> {
  const statements = splitStatements(tokenize(request.sqlText));
  if (statements.length !== 1) throw statementCountError(statements.length);
  const tokens = statements[0] ?? [];
  const verb = transactionVerb(tokens);
  if (verb !== undefined) return transactionControl(emulator, request.session, verb);
  const direct = sessionStatement(tokens, request.session);
  if (direct !== undefined) return direct;
  const staged = await stageStatement(
    emulator,
    request.sqlText,
    request.session,
    (select, dir, maxFileSize) => copySelect(emulator, request, select, dir, maxFileSize),
  );
  if (staged !== undefined) return staged;
  const rewritten = rewriteStatement(tokens, { ...request.session, tables: emulator.db.tables() });
  const bindings = request.bindings[0] ?? [];
  const { sql, snapshot } = await emulator.db.withConnection((connection) =>
    resolveTimeTravel(emulator, connection, rewritten, bindings),
  );
  const statement: Statement = { sql, tokens, rewritten };
  if (snapshot !== undefined) {
    return emulator.db.timeTravel.runOn(snapshot, (connection) =>
      runStatement(emulator, connection, statement, request, false),
    );
  }
  const open = request.session.transaction;
  if (open !== undefined) {
    open.touch();
    return runStatement(emulator, open.connection, statement, request, true, open);
  }
  const connection = await emulator.db.connect();
  try {
    return await runStatement(emulator, connection, statement, request, true);
  } finally {
    connection.closeSync();
  }
}

const TCL_OK = "Statement executed successfully.";

/** BEGIN, COMMIT and ROLLBACK of a session (a COMMIT or ROLLBACK with none open is a no-op). */
async function transactionControl(
  emulator: EmulatorContext,
  session: Session,
  verb: "begin" | "commit" | "rollback",
): Promise<QueryResult> {
  const open = session.transaction;
  if (verb === "begin") {
    if (open === undefined) session.transaction = await beginTransaction(emulator.db);
  } else if (open !== undefined) {
    session.transaction = undefined;
    await open.end(verb === "commit");
  }
  return statusResult(TCL_OK, STATEMENT_TYPE_IDS.tcl, "session");
}

/**
 * The SELECT of a `COPY INTO @stage` written as Parquet files of at most `maxFileSize` bytes
 * into `dir` by DuckDB, after the same rewriting and time travel as any query, so an unload
 * `AT(TIMESTAMP => ...)` reads exactly what a SELECT at that point would. Returns the rows.
 */
async function copySelect(
  emulator: EmulatorContext,
  request: ExecuteRequest,
  selectText: string,
  dir: string,
  maxFileSize: number,
): Promise<number> {
  const [tokens] = splitStatements(tokenize(selectText));
  const rewritten = rewriteStatement(tokens ?? [], {
    ...request.session,
    tables: emulator.db.tables(),
  });
  const bindings = request.bindings[0] ?? [];
  const { sql, snapshot } = await emulator.db.withConnection((connection) =>
    resolveTimeTravel(emulator, connection, rewritten, bindings),
  );
  // DuckDB starts a new file only between row groups, so small limits get small row groups.
  const fileBytes = Math.max(1024, Math.floor(maxFileSize));
  const groupRows = Math.min(122_880, Math.max(1024, Math.floor(fileBytes / 100)));
  const copy = `COPY (${sql}) TO ${sqlStringLiteral(dir)} (FORMAT PARQUET, FILE_SIZE_BYTES ${fileBytes}, ROW_GROUP_SIZE ${groupRows}, FILENAME_PATTERN 'data_{i}', OVERWRITE_OR_IGNORE)`;
  const run = async (connection: DuckDBConnection): Promise<number> => {
    const onAbort = (): void => connection.interrupt();
    request.signal.addEventListener("abort", onAbort, { once: true });
    const prepared = await connection.prepare(copy);
    try {
      bindParameters(prepared, bindings, rewritten.params);
      return Number((await prepared.run()).rowsChanged);
    } finally {
      request.signal.removeEventListener("abort", onAbort);
      prepared.destroySync();
    }
  };
  if (snapshot !== undefined) return emulator.db.timeTravel.runOn(snapshot, run);
  const connection = await emulator.db.connect();
  try {
    return await run(connection);
  } finally {
    connection.closeSync();
  }
}

/** A rewritten statement ready to prepare. */
interface Statement {
  readonly sql: string;
  readonly tokens: readonly Token[];
  readonly rewritten: Rewritten;
}

/** Prepares, binds and runs a statement on `connection`; a cancel interrupts it. */
async function runStatement(
  emulator: EmulatorContext,
  connection: DuckDBConnection,
  { sql, tokens, rewritten }: Statement,
  request: ExecuteRequest,
  allowWrite: boolean,
  open?: OpenTransaction,
): Promise<QueryResult> {
  const onAbort = (): void => connection.interrupt();
  request.signal.addEventListener("abort", onAbort, { once: true });
  let prepared: DuckDBPreparedStatement | undefined;
  try {
    if (request.signal.aborted) throw canceled();
    prepared = await connection.prepare(sql);
    if (request.describeOnly) return describe(prepared, rewritten, request.session);
    const kind = statementKind(prepared.statementType);
    if (kind === "select" || kind === "other") {
      bindParameters(prepared, request.bindings[0] ?? [], rewritten.params);
      return await select(emulator, prepared, rewritten, request);
    }
    if (!allowWrite) throw unsupported("A write that reads AT or BEFORE a point in time");
    const target = writeTarget(tokens);
    const targets =
      target !== undefined
        ? [target]
        : connection.getTableNames(sql, false).map((t) => t.toLowerCase());
    const statement = prepared;
    const apply = async () => {
      let rows = 0;
      for (const row of request.bindings) {
        statement.clearBindings();
        bindParameters(statement, row, rewritten.params);
        rows += (await statement.run()).rowsChanged;
      }
      return rows;
    };
    if (open !== undefined && kind === "ddl") throw unsupported("DDL inside a transaction");
    for (const table of targets) open?.targets.add(table);
    const changed =
      open === undefined ? await emulator.db.write(targets, kind === "ddl", apply) : await apply();
    if (kind === "ddl")
      return statusResult(ddlStatus(tokens, target), STATEMENT_TYPE_IDS.ddl, "ddl");
    return dmlResult(kind, changed);
  } catch (error) {
    if (request.signal.aborted) throw canceled();
    throw error;
  } finally {
    request.signal.removeEventListener("abort", onAbort);
    prepared?.destroySync();
  }
}

/** Streams a query's rows into inline rows and chunks. */
async function select(
  emulator: EmulatorContext,
  prepared: DuckDBPreparedStatement,
  rewritten: Rewritten,
  request: ExecuteRequest,
): Promise<QueryResult> {
  const result = await prepared.stream();
  const encodings = Array.from({ length: result.columnCount }, (_, i) =>
    columnEncoding(result.columnType(i)),
  );
  const where = { database: request.session.database, schema: request.session.schema };
  const rowtype = encodings.map((encoding, i) =>
    rowTypeEntry(
      snowflakeColumnName(result.columnName(i), rewritten.quotedIdentifiers),
      encoding,
      where,
    ),
  );
  const { inlineRowLimit, chunkRows } = emulator.options;
  const collector = new RowCollector(inlineRowLimit, chunkRows);
  for await (const rows of result.yieldRows()) {
    if (request.signal.aborted) throw canceled();
    for (const values of rows) {
      const row: WireRow = new Array<string | null>(values.length);
      for (let i = 0; i < values.length; i++) {
        const value = values[i];
        row[i] =
          value === null || value === undefined
            ? null
            : (encodings[i] as (typeof encodings)[number]).encode(value);
      }
      collector.add(row);
    }
  }
  collector.finish();
  if (collector.chunks.length > 0) emulator.chunks.store(request.queryId, collector.chunks);
  return {
    rowtype,
    rowset: collector.inline,
    total: collector.total,
    statementTypeId: STATEMENT_TYPE_IDS.select,
    kind: "select",
  };
}

/** The column metadata of a statement without running it (`describeOnly`). */
function describe(
  prepared: DuckDBPreparedStatement,
  rewritten: Rewritten,
  session: Session,
): QueryResult {
  const where = { database: session.database, schema: session.schema };
  const rowtype = Array.from({ length: prepared.columnCount }, (_, i) =>
    rowTypeEntry(
      snowflakeColumnName(prepared.columnName(i), rewritten.quotedIdentifiers),
      columnEncoding(prepared.columnType(i)),
      where,
    ),
  );
  return {
    rowtype,
    rowset: [],
    total: 0,
    statementTypeId: STATEMENT_TYPE_IDS.select,
    kind: "describe",
  };
}

/**
 * Evaluates each `AT`/`BEFORE` point in time, puts the table name back in place of its clause,
 * and says which snapshot (if any) the statement must run on.
 */
async function resolveTimeTravel(
  emulator: EmulatorContext,
  connection: DuckDBConnection,
  rewritten: Rewritten,
  bindings: BindingRows[number],
): Promise<{ sql: string; snapshot: Snapshot | undefined }> {
  let sql = rewritten.sql;
  const snapshots = new Set<Snapshot>();
  for (const clause of rewritten.timeTravel) {
    emulator.stats.timeTravelReads += 1;
    bump(emulator.stats.timeTravelReadsByTable, clause.table);
    const times = emulator.db.tableTimes(clause.table);
    if (clause.by !== "STATEMENT" && times !== undefined) {
      const at = await pointInTime(connection, clause, bindings);
      const found = emulator.db.timeTravel.resolve(clause.table, at, times, Date.now());
      if (found.kind === "snapshot") snapshots.add(found.snapshot);
    }
    const alias = clause.hasAlias ? "" : ` AS ${sqlIdentifier(clause.table)}`;
    sql = sql.replace(clause.marker, `main.${sqlIdentifier(clause.table)}${alias}`);
  }
  if (snapshots.size > 1) throw unsupported("Reading several points in time in one statement");
  return { sql, snapshot: [...snapshots][0] };
}

/** Evaluates a clause's expression to epoch milliseconds. */
async function pointInTime(
  connection: DuckDBConnection,
  clause: TimeTravelClause,
  bindings: BindingRows[number],
): Promise<number> {
  const expression =
    clause.by === "TIMESTAMP"
      ? `SELECT epoch_ms(CAST((${clause.exprSql}) AS TIMESTAMPTZ))::DOUBLE`
      : `SELECT CAST((${clause.exprSql}) AS DOUBLE) * 1000`;
  const prepared = await connection.prepare(expression);
  try {
    bindParameters(prepared, bindings, clause.params);
    const reader = await prepared.runAndReadAll();
    const value = Number(reader.getRows()[0]?.[0] ?? Number.NaN);
    const at = clause.by === "OFFSET" ? Date.now() + value : value;
    return clause.kind === "BEFORE" ? at - 1 : at;
  } finally {
    prepared.destroySync();
  }
}

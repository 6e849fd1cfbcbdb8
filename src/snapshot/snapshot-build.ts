import { DuckDBInstance } from "@duckdb/node-api";
import { SNAPSHOT_SCHEMA_VERSION } from "../schema/schema-version.js";
import { runSourceChecks } from "../source/source-checks.js";
import {
  BASE_TABLES,
  type BaseTable,
  type FetchProgress,
  type SourceLoad,
  type TableFeed,
} from "../source/table-feed.js";
import type { SnapshotFiles } from "./snapshot-files.js";
import {
  BASE_TABLE_DDL,
  BASE_TABLE_ORDER,
  META_DDL,
  SOURCE_DDL,
  SOURCE_SQL,
} from "./snapshot-schema.js";
import { connectionRunner, type SqlRunner } from "./sql-runner.js";
import { appendRows } from "./staging-append.js";
import {
  type TableCounts,
  type ValidationNote,
  type ValidationPolicy,
  validateBaseTables,
} from "./validate-base-tables.js";

/** How long one table took to load or build, and how many rows it holds. */
export interface TableBuild {
  readonly table: string;
  readonly rows: number;
  readonly durationMs: number;
}

/** Progress of a build, for status reports and progress bars. */
export interface BuildProgress {
  readonly phase: "load" | "validate" | "derive" | "finish";
  readonly table?: string;
  /** Rows of `table` loaded so far. */
  readonly rows?: number;
  /** Rows the source said `table` holds, when it said. */
  readonly total?: number;
  /** Set on the last event of a table's load. */
  readonly done?: boolean;
  /** A table fetched as files (a bulk unload): bytes and files downloaded so far, of how many. */
  readonly files?: FetchProgress;
}

/** Everything a build needs: which snapshot to make, from what, and what to derive. */
export interface BuildInput {
  readonly id: string;
  readonly source: string;
  /** Which source exactly (see `sourceIdentity`); recorded so another source's snapshot is refused. */
  readonly sourceIdentity?: string;
  /** The source's fingerprint when it was read, so the next sync can tell whether it changed. */
  readonly fingerprint: string;
  readonly load: SourceLoad;
  /** Builds the derived analytics tables from the loaded base tables. */
  readonly derive?: (db: SqlRunner, context: { dataAsOf: Date }) => Promise<readonly TableBuild[]>;
  readonly onProgress?: (progress: BuildProgress) => void;
  /** Which checks of the validation spec block; absent = the default policy. */
  readonly validation?: ValidationPolicy;
  /** Rows per base table of the live snapshot, for the shrink checks; absent on a first sync. */
  readonly liveRows?: TableCounts["live"];
  /** Aborts the build (shutdown): the running statement is interrupted, no further one runs. */
  readonly signal?: AbortSignal;
}

/** What a finished build reports: every table's load, what was dropped, what validation saw. */
export interface BuildResult {
  readonly id: string;
  readonly tables: readonly TableBuild[];
  readonly notes: readonly ValidationNote[];
}

/**
 * DuckDB's settings while a snapshot is built. Past the memory limit, sorts, joins, windows and
 * aggregates spill to a temporary directory beside the snapshot instead of growing the process:
 * DuckDB's default, 80 % of RAM, let a build of 10M relationships reach 5.2 GB RSS, and at 1 GB
 * every build step fits (each derived statement uses operators that spill; docs/performance.md).
 * Insertion order need not be kept: every table whose order matters is written with ORDER BY.
 */
const BUILD_SETTINGS = { memory_limit: "1GB", preserve_insertion_order: "false" } as const;

const INSERT_META =
  "INSERT INTO snapshot_meta VALUES (?, ?, ?::TIMESTAMP, ?::TIMESTAMP, ?::TIMESTAMP, ?, ?)";
const INSERT_TABLE = "INSERT INTO snapshot_tables VALUES (?, ?, ?)";
const INSERT_NOTE = "INSERT INTO snapshot_notes VALUES (?, ?, ?)";

/**
 * Writes a complete snapshot file: base tables loaded from the source and stored sorted,
 * validated, derived tables built, and the metadata written last. On any failure the partial
 * file is deleted and the error rethrown; the live snapshot is never touched here.
 */
export async function buildSnapshot(files: SnapshotFiles, input: BuildInput): Promise<BuildResult> {
  const startedAt = new Date();
  await files.ensure();
  await files.remove(input.id);
  const instance = await DuckDBInstance.create(files.pathOf(input.id), BUILD_SETTINGS);
  let result: BuildResult;
  try {
    result = await buildInto(instance, input, startedAt);
  } catch (err) {
    instance.closeSync();
    await files.remove(input.id);
    await input.load.release?.();
    throw input.signal?.aborted === true ? input.signal.reason : err;
  }
  instance.closeSync();
  await input.load.release?.();
  await files.seal(input.id).catch(async (err: unknown) => {
    await files.remove(input.id);
    throw err;
  });
  return result;
}

async function buildInto(
  instance: DuckDBInstance,
  input: BuildInput,
  startedAt: Date,
): Promise<BuildResult> {
  const connection = await instance.connect();
  const interrupt = () => connection.interrupt();
  input.signal?.addEventListener("abort", interrupt, { once: true });
  try {
    const db = abortable(connectionRunner(connection), input.signal);
    for (const statement of input.load.prepare) await db.run(statement);
    await runSourceChecks(input.load.checks ?? [], (sql, params) => db.all(sql, params));
    const tables: TableBuild[] = [];
    const loaded: Partial<Record<BaseTable, number>> = {};
    const reported: Partial<Record<BaseTable, number>> = {};
    for (const table of Object.keys(BASE_TABLES) as BaseTable[]) {
      const feed = input.load.tables[table];
      const total = feed.kind === "select" ? undefined : feed.expectedRows;
      const report = (rows: number, done = false, fetched?: FetchProgress) =>
        input.onProgress?.({
          phase: "load",
          table,
          rows,
          done,
          ...(total === undefined ? {} : { total }),
          ...(fetched === undefined ? {} : { files: fetched }),
        });
      report(0);
      const started = performance.now();
      await db.run(BASE_TABLE_DDL[table]);
      const rows = await loadTable(db, connection, table, feed, report);
      loaded[table] = rows;
      if (total !== undefined) reported[table] = total;
      tables.push({ table, rows, durationMs: performance.now() - started });
      report(rows, true);
    }
    input.onProgress?.({ phase: "validate" });
    const notes = await dropNotes(db, input.load);
    const counts = { loaded: loaded as Record<BaseTable, number>, reported, live: input.liveRows };
    notes.push(...(await validateBaseTables(db, counts, input.validation)));
    if (input.derive !== undefined) {
      input.onProgress?.({ phase: "derive" });
      tables.push(...(await input.derive(db, { dataAsOf: input.load.dataAsOf })));
    }
    input.onProgress?.({ phase: "finish" });
    await writeMeta(db, input, startedAt, tables, notes);
    await db.run("CHECKPOINT");
    return { id: input.id, tables, notes };
  } finally {
    input.signal?.removeEventListener("abort", interrupt);
    connection.closeSync();
  }
}

/**
 * `db` refusing every statement once `signal` has aborted: an interrupt stops only the statement
 * running at that moment, so one that lands between two statements must stop the next.
 */
function abortable(db: SqlRunner, signal: AbortSignal | undefined): SqlRunner {
  if (signal === undefined) return db;
  return {
    run(sql, params) {
      signal.throwIfAborted();
      return db.run(sql, params);
    },
    all(sql, params) {
      signal.throwIfAborted();
      return db.all(sql, params);
    },
  };
}

async function loadTable(
  db: SqlRunner,
  connection: Parameters<typeof appendRows>[0],
  table: BaseTable,
  feed: TableFeed,
  onRows: (rows: number, done?: boolean, fetched?: FetchProgress) => void,
): Promise<number> {
  if (feed.kind === "select") {
    await db.run(
      `INSERT INTO ${table} SELECT * FROM (${feed.sql}) ORDER BY ${BASE_TABLE_ORDER[table]}`,
      feed.params,
    );
  } else if (feed.kind === "files") {
    // One INSERT over all the files: a file DuckDB cannot read whole fails it, and nothing loads.
    const fetched = await feed.fetch((progress) => onRows(0, false, progress));
    await runSourceChecks(fetched.checks, (sql, params) => db.all(sql, params));
    await db.run(
      `INSERT INTO ${table} SELECT * FROM (${fetched.sql}) ORDER BY ${BASE_TABLE_ORDER[table]}`,
      fetched.params,
    );
  } else {
    await appendRows(connection, db, table, feed.batches, BASE_TABLE_ORDER[table], onRows);
  }
  return countRows(db, table);
}

async function countRows(db: SqlRunner, table: string): Promise<number> {
  const [row] = await db.all(`SELECT count(*)::INTEGER AS n FROM ${table}`);
  return Number(row?.n ?? 0);
}

async function dropNotes(db: SqlRunner, load: SourceLoad): Promise<ValidationNote[]> {
  const notes: ValidationNote[] = [];
  for (const dropped of load.dropped) {
    const [row] = await db.all(dropped.countSql);
    notes.push({ kind: "dropped", message: dropped.reason, rows: Number(row?.n ?? 0) });
  }
  return notes;
}

async function writeMeta(
  db: SqlRunner,
  input: BuildInput,
  startedAt: Date,
  tables: readonly TableBuild[],
  notes: readonly ValidationNote[],
): Promise<void> {
  for (const statement of META_DDL) await db.run(statement);
  for (const t of tables) await db.run(INSERT_TABLE, [t.table, t.rows, t.durationMs]);
  for (const n of notes) await db.run(INSERT_NOTE, [n.kind, n.message, n.rows]);
  await db.run(SOURCE_DDL);
  await db.run(SOURCE_SQL.insert, [input.source, input.sourceIdentity ?? ""]);
  await db.run(INSERT_META, [
    input.id,
    input.source,
    sqlTimestamp(startedAt),
    sqlTimestamp(new Date()),
    sqlTimestamp(input.load.dataAsOf),
    input.fingerprint,
    SNAPSHOT_SCHEMA_VERSION,
  ]);
}

/** A UTC instant as DuckDB's zone-less TIMESTAMP literal, independent of the session time zone. */
function sqlTimestamp(at: Date): string {
  return at.toISOString().replace("T", " ").replace("Z", "");
}

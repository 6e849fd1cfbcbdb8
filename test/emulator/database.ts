/**
 * The emulator's DuckDB: an in-memory database holding the served tables in schema `main`,
 * bookkeeping in `emulator_internal` (per-table CREATED / LAST_ALTERED and the
 * `INFORMATION_SCHEMA.TABLES` stand-in); time travel pins DuckDB snapshots (`time-travel.ts`).
 * Writes go through {@link EmulatorDatabase.write} so that they are serialised, pinned for
 * time travel and stamped in LAST_ALTERED.
 *
 * @module
 */
import { type DuckDBConnection, DuckDBInstance, timestampTZValue } from "@duckdb/node-api";
import { createTableStatements, generateRows, loadDirectory } from "./data-loader.js";
import { sqlIdentifier, sqlStringLiteral } from "./http-util.js";
import { type TableTimes, TimeTravelStore } from "./time-travel.js";
import type { GenerateSpec } from "./types.js";

/** How to build the database. */
export interface DatabaseOptions {
  readonly dataDir?: string | undefined;
  readonly generate?: GenerateSpec | undefined;
  readonly timeTravel: boolean;
  readonly timeTravelVersions: number;
}

const SETUP = [
  "SET GLOBAL TimeZone = 'UTC'",
  "CREATE SCHEMA emulator_internal",
  `CREATE TABLE emulator_internal.table_meta (
     table_name VARCHAR PRIMARY KEY, created TIMESTAMPTZ, last_altered TIMESTAMPTZ)`,
];

const tsValue = (ms: number) => timestampTZValue(BigInt(Math.trunc(ms)) * 1000n);

/** The database behind the emulator. */
export class EmulatorDatabase {
  private readonly times = new Map<string, { created: number; lastAltered: number }>();
  private writeChain: Promise<unknown> = Promise.resolve();
  private tableSet: ReadonlySet<string> = new Set();

  private constructor(
    private readonly instance: DuckDBInstance,
    /** Time-travel snapshots. */
    readonly timeTravel: TimeTravelStore,
  ) {}

  /** Creates the database, the served tables, and loads / generates their rows. */
  static async create(options: DatabaseOptions): Promise<EmulatorDatabase> {
    const instance = await DuckDBInstance.create(":memory:");
    const db = new EmulatorDatabase(
      instance,
      new TimeTravelStore(options.timeTravel, options.timeTravelVersions, Date.now()),
    );
    const connection = await instance.connect();
    try {
      for (const sql of [...SETUP, ...createTableStatements()]) await connection.run(sql);
      if (options.dataDir !== undefined) await loadDirectory(connection, options.dataDir);
      if (options.generate !== undefined) await generateRows(connection, options.generate);
      await db.refreshCatalog(connection);
    } finally {
      connection.closeSync();
    }
    return db;
  }

  /** Opens a new connection; the caller closes it with `closeSync()`. */
  connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  /** Runs `fn` on a fresh connection and closes it afterwards. */
  async withConnection<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await this.connect();
    try {
      return await fn(connection);
    } finally {
      connection.closeSync();
    }
  }

  /** Lower-case names of the user tables in `main`. */
  tables(): ReadonlySet<string> {
    return this.tableSet;
  }

  /** CREATED / LAST_ALTERED of a table (ms), if it exists. */
  tableTimes(table: string): TableTimes | undefined {
    return this.times.get(table);
  }

  /**
   * Runs a write under the write lock: pins a time-travel snapshot, runs `fn`, then stamps
   * LAST_ALTERED of the target tables (a function when they are known only once `fn` has run,
   * as for a transaction). A DDL write (`ddl`) instead refreshes the catalog.
   */
  write<T>(
    targets: readonly string[] | (() => readonly string[]),
    ddl: boolean,
    fn: () => Promise<T>,
  ): Promise<T> {
    const run = async (): Promise<T> => {
      const pinned = await this.timeTravel.pin(this.instance);
      let result: T;
      try {
        result = await fn();
      } catch (error) {
        await this.timeTravel.discard(pinned);
        throw error;
      }
      const now = this.timeTravel.nextWriteTime();
      await this.timeTravel.commit(pinned, now);
      await this.withConnection(async (connection) => {
        const written = typeof targets === "function" ? targets() : targets;
        const known = written.filter((table) => this.times.has(table));
        if (ddl) {
          for (const table of known) this.times.delete(table);
          await this.refreshCatalog(connection, now);
          return;
        }
        for (const table of known) {
          const times = this.times.get(table);
          if (times !== undefined) times.lastAltered = now;
          await connection.run(
            "UPDATE emulator_internal.table_meta SET last_altered = $1 WHERE table_name = $2",
            [tsValue(now), table],
          );
        }
      });
      return result;
    };
    const next = this.writeChain.then(run, run);
    this.writeChain = next.catch(() => undefined);
    return next;
  }

  /**
   * Re-reads the user tables of `main`, registers new ones in `table_meta` (created now),
   * forgets dropped ones, and rebuilds `information_schema_tables(db, schema)`.
   */
  async refreshCatalog(connection: DuckDBConnection, now = Date.now()): Promise<void> {
    const reader = await connection.runAndReadAll(
      "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND database_name = current_database() ORDER BY table_name",
    );
    const names = reader.getRows().map(([name]) => String(name).toLowerCase());
    for (const name of names) {
      if (this.times.has(name)) continue;
      this.times.set(name, { created: now, lastAltered: now });
      await connection.run(
        "INSERT OR REPLACE INTO emulator_internal.table_meta VALUES ($1, $2, $2)",
        [name, tsValue(now)],
      );
    }
    for (const name of [...this.times.keys()]) {
      if (names.includes(name)) continue;
      this.times.delete(name);
      await connection.run("DELETE FROM emulator_internal.table_meta WHERE table_name = $1", [
        name,
      ]);
    }
    this.tableSet = new Set(names);
    const counts = names.map(
      (name) =>
        `SELECT ${sqlStringLiteral(name)} AS table_name, (SELECT count(*) FROM main.${sqlIdentifier(name)}) AS row_count`,
    );
    const source =
      counts.length > 0
        ? counts.join(" UNION ALL ")
        : "SELECT NULL::VARCHAR AS table_name, 0::BIGINT AS row_count WHERE false";
    await connection.run(`CREATE OR REPLACE MACRO emulator_internal.information_schema_tables(db, sch) AS TABLE
      SELECT db::VARCHAR AS TABLE_CATALOG, sch::VARCHAR AS TABLE_SCHEMA, upper(m.table_name) AS TABLE_NAME,
             'EMULATOR_ROLE' AS TABLE_OWNER, 'BASE TABLE' AS TABLE_TYPE, 'NO' AS IS_TRANSIENT,
             NULL::VARCHAR AS CLUSTERING_KEY, c.row_count AS ROW_COUNT, NULL::BIGINT AS BYTES,
             1 AS RETENTION_TIME, m.created AS CREATED, m.last_altered AS LAST_ALTERED,
             m.created AS LAST_DDL, NULL::VARCHAR AS COMMENT
      FROM emulator_internal.table_meta m JOIN (${source}) c ON c.table_name = m.table_name`);
  }

  /** Releases the time-travel snapshots and closes the database. */
  async close(): Promise<void> {
    await this.timeTravel.close();
    this.instance.closeSync();
  }
}

import { mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { runSourceChecks } from "../source/source-checks.js";
import type { WriteBind, WriteRow, WriteTx } from "../source/source-writer.js";
import { BASE_TABLES, type BaseTable, type SourceLoad } from "../source/table-feed.js";
import { BASE_TABLE_DDL } from "./snapshot-schema.js";
import { connectionRunner } from "./sql-runner.js";

/** Counts committed writes, so the source's fingerprint changes exactly when its data does. */
const VERSION_DDL = "CREATE TABLE write_version (n BIGINT NOT NULL)";
const VERSION_INIT = "INSERT INTO write_version VALUES (0)";
const VERSION_BUMP = "UPDATE write_version SET n = n + 1";
const VERSION_READ = "SELECT n::VARCHAR AS n FROM write_version";

/** The base tables, copied to Parquet for a sync, read at one point in time. */
const COPY_TABLE: Readonly<Record<BaseTable, string>> = {
  customers: "COPY (SELECT * FROM customers) TO ? (FORMAT parquet)",
  products: "COPY (SELECT * FROM products) TO ? (FORMAT parquet)",
  customer_products: "COPY (SELECT * FROM customer_products) TO ? (FORMAT parquet)",
};

/**
 * The writable source of truth when no Snowflake is configured: a DuckDB database file under
 * DATA_DIR holding the three base tables. It is created on first start from a seed load (the
 * bundled Online Retail data) into a temporary file renamed into place only once complete, so
 * an interrupted seed is redone rather than served; later starts open what was written.
 *
 * One connection does everything, one operation at a time: a write is one transaction that
 * also bumps `write_version`, and a sync's copy of the tables is one read transaction, so a
 * snapshot sees every write or none of it.
 */
export class EmbeddedDatabase {
  #chain: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** Opens the database at `path`, creating and seeding it from `seed()` when it is absent. */
  static async open(path: string, seed: () => Promise<SourceLoad>): Promise<EmbeddedDatabase> {
    if (!(await exists(path))) await create(path, await seed());
    const instance = await DuckDBInstance.create(path);
    return new EmbeddedDatabase(path, instance, await instance.connect());
  }

  /**
   * Runs `fn` in one transaction: commits (with the version bumped) when it resolves, rolls
   * back when it throws. Writes queue behind one another and behind copies; `committedAt` is
   * taken in the queue, so a copy that starts later (see {@link copyTables}) holds the write.
   */
  transaction<T>(fn: (tx: WriteTx) => Promise<T>): Promise<{ value: T; committedAt: Date }> {
    return this.#serial(async () => {
      await this.connection.run("BEGIN TRANSACTION");
      try {
        const value = await fn(this.#tx());
        await this.connection.run(VERSION_BUMP);
        await this.connection.run("COMMIT");
        return { value, committedAt: new Date() };
      } catch (err) {
        await this.connection.run("ROLLBACK").catch(() => undefined);
        throw err;
      }
    });
  }

  /** How many writes have committed since the database was seeded. */
  version(): Promise<string> {
    return this.#serial(async () => {
      const reader = await this.connection.runAndReadAll(VERSION_READ);
      return String(reader.getRows()[0]?.[0] ?? "0");
    });
  }

  /**
   * Copies the three tables to `<dir>/<table>.parquet` in one read transaction, so the copies
   * are consistent with each other; resolves with the version they hold and when the read
   * began (every write committed before it is in the copy).
   */
  copyTables(dir: string): Promise<{ version: string; readAt: Date }> {
    return this.#serial(async () => {
      await mkdir(dir, { recursive: true });
      const readAt = new Date();
      await this.connection.run("BEGIN TRANSACTION");
      try {
        for (const table of Object.keys(BASE_TABLES) as BaseTable[]) {
          await this.connection.run(COPY_TABLE[table], [join(dir, `${table}.parquet`)]);
        }
        const reader = await this.connection.runAndReadAll(VERSION_READ);
        await this.connection.run("COMMIT");
        return { version: String(reader.getRows()[0]?.[0] ?? "0"), readAt };
      } catch (err) {
        await this.connection.run("ROLLBACK").catch(() => undefined);
        throw err;
      }
    });
  }

  /** Closes the database once the operations under way have finished. */
  async close(): Promise<void> {
    await this.#chain;
    this.connection.closeSync();
    this.instance.closeSync();
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(fn, fn);
    this.#chain = next.catch(() => undefined);
    return next;
  }

  #tx(): WriteTx {
    const connection = this.connection;
    return {
      async all(sql: string, binds: readonly WriteBind[]): Promise<WriteRow[]> {
        const reader = await connection.runAndReadAll(sql, [...binds]);
        const names = reader.columnNames().map((name) => name.toLowerCase());
        return reader.getRows().map((row) => {
          const out: Record<string, string | null> = {};
          names.forEach((name, i) => {
            const value = row[i];
            out[name] = value === null || value === undefined ? null : String(value);
          });
          return out;
        });
      },
      async run(sql: string, binds: readonly WriteBind[]): Promise<number> {
        const result = await connection.run(sql, [...binds]);
        return Number(result.rowsChanged);
      },
    };
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Seeds a new database file beside `path` and renames it into place once it is complete. */
async function create(path: string, load: SourceLoad): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.seeding`;
  await rm(partial, { force: true });
  await rm(`${partial}.wal`, { force: true });
  const instance = await DuckDBInstance.create(partial);
  try {
    const connection = await instance.connect();
    try {
      const db = connectionRunner(connection);
      for (const statement of load.prepare) await db.run(statement);
      await runSourceChecks(load.checks ?? [], (sql, params) => db.all(sql, params));
      for (const table of Object.keys(BASE_TABLES) as BaseTable[]) {
        const feed = load.tables[table];
        if (feed.kind !== "select") throw new Error(`the seed of ${table} must be a SELECT`);
        await db.run(BASE_TABLE_DDL[table]);
        await db.run(`INSERT INTO ${table} SELECT * FROM (${feed.sql})`, feed.params);
      }
      await db.run(VERSION_DDL);
      await db.run(VERSION_INIT);
      await db.run("CHECKPOINT");
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
  await rename(partial, path);
}

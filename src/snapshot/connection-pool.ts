import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { scanColumns } from "./scan-columns.js";
import type { ScanChunk } from "./snapshot-reader.js";
import {
  bindable,
  connectionRunner,
  preparedRunner,
  type SqlParam,
  type SqlRow,
  type SqlRunner,
} from "./sql-runner.js";

interface Slot {
  readonly connection: DuckDBConnection;
  readonly runner: SqlRunner;
}

/**
 * A fixed set of connections to one read-only snapshot, each with its own prepared statements.
 * A DuckDB connection runs one statement at a time, so concurrent reads take turns on free
 * connections rather than queueing behind one; the set is small because DuckDB already uses
 * every core inside a query.
 */
export class ConnectionPool implements SqlRunner {
  readonly #free: Slot[];
  readonly #all: Slot[];
  readonly #waiting: ((slot: Slot) => void)[] = [];
  #busy = 0;
  #idle: (() => void) | undefined;

  private constructor(slots: Slot[]) {
    this.#all = slots;
    this.#free = [...slots];
  }

  /** Opens `size` connections on the instance. */
  static async create(instance: DuckDBInstance, size: number): Promise<ConnectionPool> {
    const slots: Slot[] = [];
    for (let i = 0; i < size; i++) {
      const connection = await instance.connect();
      slots.push({ connection, runner: preparedRunner(connection) });
    }
    return new ConnectionPool(slots);
  }

  run(sql: string, params?: readonly SqlParam[]): Promise<void> {
    return this.#with((slot) => slot.runner.run(sql, params));
  }

  all(sql: string, params?: readonly SqlParam[]): Promise<SqlRow[]> {
    return this.#with((slot) => slot.runner.all(sql, params));
  }

  /**
   * Runs a statement whose text is used once (a COPY to a fresh file) without preparing it, so
   * the per-connection statement cache does not grow with every export. When `signal` aborts,
   * the statement is interrupted and the promise rejects.
   */
  once(sql: string, params: readonly SqlParam[], signal?: AbortSignal): Promise<SqlRow[]> {
    return this.#with(async (slot) => {
      signal?.throwIfAborted();
      const stop = () => slot.connection.interrupt();
      signal?.addEventListener("abort", stop, { once: true });
      try {
        return await connectionRunner(slot.connection).all(sql, params);
      } finally {
        signal?.removeEventListener("abort", stop);
      }
    });
  }

  /**
   * Streams `sql`'s result to `onChunk` a DuckDB chunk at a time, column by column, on one
   * connection held for the whole scan. The SQL must cast its columns to INTEGER, DOUBLE,
   * BIGINT, BOOLEAN or VARCHAR, which arrive as plain JavaScript values (see scan-columns.ts),
   * except the VARCHAR columns `utf8Columns` lists, handed over as their bytes.
   */
  scan(
    sql: string,
    params: readonly SqlParam[],
    onChunk: ScanChunk,
    utf8Columns: readonly number[] = [],
  ): Promise<void> {
    return this.#with(async (slot) => {
      const [values, types] = bindable(params);
      const result = await slot.connection.stream(sql, values, types);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (chunk === null || chunk.rowCount === 0) return;
        const { columns, utf8 } = scanColumns(chunk, utf8Columns);
        if (!onChunk(columns, chunk.rowCount, utf8)) return;
      }
    });
  }

  /** Resolves once no statement is running. */
  drain(): Promise<void> {
    if (this.#busy === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#idle = resolve;
    });
  }

  /** Closes every connection. */
  close(): void {
    for (const slot of this.#all) slot.connection.closeSync();
  }

  async #with<T>(work: (slot: Slot) => Promise<T>): Promise<T> {
    let slot = this.#free.pop();
    if (slot === undefined) {
      slot = await new Promise<Slot>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#busy++;
    }
    try {
      return await work(slot);
    } finally {
      const next = this.#waiting.shift();
      if (next !== undefined) {
        next(slot);
      } else {
        this.#free.push(slot);
        this.#busy--;
        if (this.#busy === 0) this.#idle?.();
      }
    }
  }
}

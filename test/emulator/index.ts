/**
 * The Snowflake emulator's programmatic API: an HTTP server on loopback that speaks enough of
 * Snowflake's REST protocol for the real `snowflake-sdk` to log in, query, stream chunked
 * results, renew sessions and cancel, executing the SQL on an in-memory DuckDB.
 *
 * ```ts
 * const emulator = await startEmulator({ port: 0, generate: { customers: 100, products: 10, customer_products: 500 } });
 * // snowflake.createConnection({ accessUrl: emulator.url, account: "emulator", username: "analytics", password: "emulator" })
 * await emulator.sql("UPDATE customers SET status = ? WHERE customer_id = ?", ["inactive", "C0000001"]);
 * await emulator.setFaults({ expireSessions: 1 });
 * await emulator.close();
 * ```
 *
 * @module
 */
import type { AddressInfo } from "node:net";
import { runAdminSql } from "./admin-api.js";
import { ChunkStore } from "./chunks.js";
import { type EmulatorContext, resolveOptions } from "./context.js";
import { EmulatorDatabase } from "./database.js";
import { FaultController } from "./faults.js";
import { QueryStore } from "./query-store.js";
import { createEmulatorServer } from "./server.js";
import { SessionStore } from "./session-store.js";
import { StageStore } from "./stage-store.js";
import { bump, copyStats, emptyStats } from "./stats.js";
import type {
  AdminSqlParam,
  AdminSqlResult,
  EmulatorOptions,
  EmulatorStats,
  FaultConfig,
} from "./types.js";

/** The option, fault, stats and admin-result types of the emulator. */
export type {
  AdminSqlParam,
  AdminSqlResult,
  EmulatorOptions,
  EmulatorStats,
  FaultConfig,
  GenerateSpec,
} from "./types.js";

/** A running emulator. The child-process handle (`child-process.ts`) has the same shape. */
export interface EmulatorHandle {
  /** Base URL for the driver's `accessUrl`, e.g. `http://127.0.0.1:8085`. */
  readonly url: string;
  readonly port: number;
  /** Stops the server, aborts running queries and closes DuckDB. */
  close(): Promise<void>;
  /** Runs DuckDB SQL on the emulator's tables (writes update LAST_ALTERED). */
  sql(sql: string, params?: readonly AdminSqlParam[]): Promise<AdminSqlResult>;
  /** Adds or replaces faults (see {@link FaultConfig}). */
  setFaults(faults: FaultConfig): Promise<void>;
  /** Removes all faults. */
  clearFaults(): Promise<void>;
  /** A copy of the counters. */
  stats(): Promise<EmulatorStats>;
  /** Sets every counter back to zero. */
  resetStats(): Promise<void>;
  /** Every file on every stage, as `STAGE/path` (to check that a sync cleaned up). */
  stageFiles(): Promise<string[]>;
}

/** Starts an emulator in this process. Resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const resolved = resolveOptions(options);
  const db = await EmulatorDatabase.create(resolved);
  const context: EmulatorContext = {
    options: resolved,
    db,
    sessions: new SessionStore(
      resolved.sessionValiditySeconds * 1000,
      resolved.masterValiditySeconds * 1000,
    ),
    queries: new QueryStore(1000),
    chunks: new ChunkStore(64, resolved.gzipChunks),
    faults: new FaultController((name) => bump(context.stats.faults, name)),
    stages: new StageStore(),
    url: "",
    stats: emptyStats(),
  };
  const server = createEmulatorServer(context);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  context.url = `http://${resolved.host}:${port}`;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${resolved.host}:${port}`,
    port,
    close() {
      closed ??= (async () => {
        context.queries.abortAll();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await context.queries.drain(2000);
        await stopped;
        context.chunks.clear();
        context.stages.close();
        await db.close();
      })();
      return closed;
    },
    sql: (sql, params) => runAdminSql(context, sql, params),
    setFaults: async (faults) => context.faults.set(faults),
    clearFaults: async () => context.faults.clear(),
    stats: async () => copyStats(context.stats),
    resetStats: async () => {
      context.stats = emptyStats();
    },
    stageFiles: async () => context.stages.allFiles(),
  };
}

/**
 * The floor: what DuckDB alone needs for each RPC's SQL on the same snapshot file. Each RPC's
 * query-layer call is run once per sampled request against a recording runner, which yields the
 * exact statements and bound values; those are then prepared once on a read-only connection
 * and replayed by one caller, timing execution (statement to materialised result) and, apart,
 * the conversion of the rows to the objects the query layer reads.
 *
 * @module
 */
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBPreparedStatement,
} from "@duckdb/node-api";
import {
  bindable,
  preparedRunner,
  type SqlParam,
  type SqlRunner,
} from "../../src/snapshot/sql-runner.js";
import { floorCases } from "./floor-cases.js";
import { closedLoop, type LatencySummary, type RunBounds, summarize } from "./latency.js";
import type { RequestPool, RpcName } from "./rpc-cases.js";

/** The floor of one RPC. */
export interface FloorResult {
  readonly rpc: RpcName;
  readonly status: "ok" | "failed";
  readonly error: string;
  /** Statements one request runs (mean over the sampled requests). */
  readonly statementsPerRequest: number;
  /** Execution of all of a request's statements, results materialised. */
  readonly execute: LatencySummary;
  /** Converting those results to row objects (what the service's runner does next). */
  readonly convert: LatencySummary;
}

/** One statement a request ran, with its bound values. */
export interface Statement {
  readonly sql: string;
  readonly params: readonly SqlParam[];
}

/** Requests whose statements are captured (and cycled through while timing). */
const SAMPLES = 100;

/** Measures the floor of every RPC in `rpcs` on the snapshot file at `path`. */
export async function measureFloor(
  path: string,
  pool: RequestPool,
  rpcs: readonly RpcName[],
  bounds: RunBounds,
): Promise<FloorResult[]> {
  const instance = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
  const connection = await instance.connect();
  try {
    const cases = floorCases(pool);
    const results: FloorResult[] = [];
    for (const rpc of rpcs) {
      try {
        const samples = await capture(connection, (db, i) => cases[rpc](db, i), SAMPLES);
        results.push({ rpc, ...(await replay(connection, samples, bounds)) });
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        const empty = summarize([], 0);
        results.push({
          rpc,
          status: "failed",
          error,
          statementsPerRequest: 0,
          execute: empty,
          convert: empty,
        });
      }
    }
    return results;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * Runs the query-layer call for requests 0..count-1 on `connection`, recording each request's
 * statements in order (statements a request runs concurrently are run one after the other).
 */
export async function capture(
  connection: DuckDBConnection,
  ask: (db: SqlRunner, i: number) => Promise<unknown>,
  count: number,
): Promise<Statement[][]> {
  const real = preparedRunner(connection);
  const samples: Statement[][] = [];
  for (let i = 0; i < count; i++) {
    const log: Statement[] = [];
    let turn = Promise.resolve();
    const serial = <T>(work: () => Promise<T>): Promise<T> => {
      const result = turn.then(work);
      turn = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    };
    const recording: SqlRunner = {
      run: (sql, params = []) =>
        serial(() => real.run(sql, params)).then(() => {
          log.push({ sql, params });
        }),
      all: (sql, params = []) =>
        serial(() => real.all(sql, params)).then((rows) => {
          log.push({ sql, params });
          return rows;
        }),
    };
    await ask(recording, i);
    samples.push(log);
  }
  return samples;
}

/** Times of one replayed request, in ms. */
interface Replayed {
  readonly execute: number;
  readonly convert: number;
}

/** Prepares every statement of `samples` on `connection`; `once(i)` replays request i. */
async function replayer(connection: DuckDBConnection, samples: readonly Statement[][]) {
  const prepared = new Map<string, DuckDBPreparedStatement>();
  for (const sample of samples) {
    for (const { sql } of sample) {
      if (!prepared.has(sql)) prepared.set(sql, await connection.prepare(sql));
    }
  }
  return {
    async once(i: number): Promise<Replayed> {
      let execute = 0;
      let convert = 0;
      for (const { sql, params } of samples[i % samples.length] ?? []) {
        const statement = prepared.get(sql);
        if (statement === undefined) throw new Error("statement not prepared");
        bind(statement, params);
        const began = performance.now();
        const reader = await statement.runAndReadAll();
        const ran = performance.now();
        reader.getRowObjectsJson();
        execute += ran - began;
        convert += performance.now() - ran;
      }
      return { execute, convert };
    },
    close(): void {
      for (const statement of prepared.values()) statement.destroySync();
    },
  };
}

async function replay(
  connection: DuckDBConnection,
  samples: readonly Statement[][],
  bounds: RunBounds,
): Promise<Omit<FloorResult, "rpc">> {
  const replay = await replayer(connection, samples);
  const warm = performance.now();
  for (let i = 0; i < bounds.warmup && performance.now() - warm < bounds.warmupMs; i++) {
    await replay.once(i);
  }
  const times = { execute: [] as number[], convert: [] as number[] };
  const began = performance.now();
  for (let i = bounds.warmup; times.execute.length < bounds.maxRequests; i++) {
    if (performance.now() - began > bounds.maxMs) break;
    const { execute, convert } = await replay.once(i);
    times.execute.push(execute);
    times.convert.push(convert);
  }
  const elapsed = performance.now() - began;
  replay.close();
  const statements = samples.reduce((n, s) => n + s.length, 0) / Math.max(1, samples.length);
  return {
    status: "ok",
    error: "",
    statementsPerRequest: statements,
    execute: summarize(times.execute, elapsed),
    convert: summarize(times.convert, elapsed),
  };
}

/** The floor's throughput: `connections` callers, each on its own connection, closed loop. */
export interface FloorThroughput {
  readonly rpc: RpcName;
  readonly connections: number;
  readonly latency: LatencySummary;
}

/**
 * How many requests per second DuckDB alone answers for `rpc` with `connections` connections
 * replaying in parallel (the service keeps four per snapshot): the ceiling the service's own
 * throughput is compared with.
 */
export async function measureFloorThroughput(
  path: string,
  pool: RequestPool,
  rpc: RpcName,
  connections: number,
  bounds: RunBounds,
): Promise<FloorThroughput> {
  const instance = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
  const opened: DuckDBConnection[] = [];
  try {
    for (let k = 0; k < connections; k++) opened.push(await instance.connect());
    const [first] = opened;
    if (first === undefined) throw new Error("no connection");
    const samples = await capture(first, (db, i) => floorCases(pool)[rpc](db, i), SAMPLES);
    const free = await Promise.all(opened.map((c) => replayer(c, samples)));
    const all = [...free];
    const outcome = await closedLoop(
      connections,
      bounds,
      async (i) => {
        const replay = free.pop();
        if (replay === undefined) throw new Error("no free connection");
        try {
          await replay.once(i);
        } finally {
          free.push(replay);
        }
      },
      () => "stop",
    );
    for (const replay of all) replay.close();
    return { rpc, connections, latency: summarize(outcome.latencies, outcome.elapsedMs) };
  } finally {
    for (const connection of opened) connection.closeSync();
    instance.closeSync();
  }
}

/** Binds as the service's runner does (the same {@link bindable} rules). */
export function bind(statement: DuckDBPreparedStatement, params: readonly SqlParam[]): void {
  const [values, types] = bindable(params);
  if (values === undefined) statement.clearBindings();
  else statement.bind(values, types);
}

/**
 * A diagnostic: `npx tsx test/bench/explain.ts --snapshot <file.duckdb> --data <dataset dir>
 * [--seed 42] [--rpc GetCustomer] [--request 0]` prints DuckDB's EXPLAIN ANALYZE of every
 * statement one benchmark request of the RPC runs, with its bound values, on a snapshot file.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import { bind, capture } from "./floor.js";
import { floorCases } from "./floor-cases.js";
import { drawRequestPool } from "./request-pool.js";
import { RPC_NAMES, type RpcName } from "./rpc-cases.js";

const { values } = parseArgs({
  options: {
    snapshot: { type: "string" },
    data: { type: "string" },
    seed: { type: "string", default: "42" },
    rpc: { type: "string", default: "GetCustomer" },
    request: { type: "string", default: "0" },
  },
});
const rpc = RPC_NAMES.find((name) => name === values.rpc);
if (values.snapshot === undefined || values.data === undefined || rpc === undefined) {
  throw new Error(`usage: --snapshot <file> --data <dir> [--rpc ${RPC_NAMES.join("|")}]`);
}
const pool = await drawRequestPool(
  {
    dir: values.data,
    seed: Number(values.seed),
    customers: 0,
    products: 0,
    relationships: 0,
    generateMs: 0,
    reused: true,
  },
  20_000,
);
const instance = await DuckDBInstance.create(values.snapshot, { access_mode: "READ_ONLY" });
const connection = await instance.connect();
const index = Number(values.request);
const ask = floorCases(pool)[rpc as RpcName];
const samples = await capture(connection, (db, i) => ask(db, i + index), 1);
for (const { sql, params } of samples[0] ?? []) {
  const statement = await connection.prepare(`EXPLAIN ANALYZE ${sql}`);
  bind(statement, params);
  const reader = await statement.runAndReadAll();
  process.stdout.write(
    `-- params: ${JSON.stringify(params)}\n${String(reader.getRowsJson()[0]?.[1])}\n`,
  );
}
connection.closeSync();
instance.closeSync();

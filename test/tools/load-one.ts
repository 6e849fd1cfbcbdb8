/**
 * A diagnostic: `npx tsx test/tools/load-one.ts --url <base url> --data <dataset dir> --rpc <name>
 * [--callers 16] [--seconds 10]` calls one of the benchmark's RPCs in a closed loop with the
 * benchmark's own gRPC client and requests, and prints its rate, so that the service can be
 * profiled (`node --cpu-prof`) under the load of one RPC without a whole benchmark.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { DataSet } from "../bench/generate.js";
import { grpcCaller, openGrpcSession } from "../bench/h2-grpc-client.js";
import { drawRequestPool } from "../bench/request-pool.js";
import { rpcCases, type SingleCall } from "../bench/rpc-cases.js";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    data: { type: "string" },
    rpc: { type: "string" },
    callers: { type: "string", default: "16" },
    seconds: { type: "string", default: "10" },
  },
});
if (values.url === undefined || values.data === undefined || values.rpc === undefined) {
  throw new Error("usage: --url <base url> --data <dataset dir> --rpc <name>");
}
const data = JSON.parse(await readFile(join(values.data, "dataset.json"), "utf8")) as DataSet;
const pool = await drawRequestPool({ ...data, dir: values.data, seed: 42 }, 10_000);
const rpc = rpcCases(pool)[values.rpc as SingleCall];
if (rpc === undefined) throw new Error(`unknown rpc ${values.rpc}`);
const session = await openGrpcSession(values.url);
const call = grpcCaller(session, rpc, false);
const until = performance.now() + Number(values.seconds) * 1000;
let done = 0;
let next = 0;
await Promise.all(
  Array.from({ length: Number(values.callers) }, async () => {
    while (performance.now() < until) {
      await call(next++);
      done++;
    }
  }),
);
console.log(`${values.rpc}: ${done} calls, ${(done / Number(values.seconds)).toFixed(0)} req/s`);
session.close();

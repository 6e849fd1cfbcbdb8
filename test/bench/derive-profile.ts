/**
 * A diagnostic: `npx tsx test/bench/derive-profile.ts --data <dataset dir> [--only trends]
 * [--explain] [--statements]` loads a generated data set into a base snapshot once (cached beside the data as
 * `base.duckdb`), then runs each derived build on a copy with the build's own settings, and
 * prints each build's time (and, with `--explain`, writes DuckDB's JSON profile of each CREATE
 * statement beside the data, operator by operator with timings and cardinalities; with
 * `--statements`, each build's slowest statements and their times),
 * so that a slow build can be found and its plan read without a whole sync.
 *
 * @module
 */

import { existsSync } from "node:fs";
import { copyFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import { ANALYTICS_BUILDS } from "../../src/analytics/analytics-builds.js";
import { resolveAnalyticsDates } from "../../src/analytics/derived-params.js";
import { BASE_TABLE_DDL, BASE_TABLE_ORDER } from "../../src/snapshot/snapshot-schema.js";
import { connectionRunner, type SqlRunner } from "../../src/snapshot/sql-runner.js";
import { BASE_TABLES } from "../../src/source/table-feed.js";

const { values } = parseArgs({
  options: {
    data: { type: "string" },
    only: { type: "string" },
    explain: { type: "boolean", default: false },
    statements: { type: "boolean", default: false },
  },
});
if (values.data === undefined) throw new Error("usage: --data <dataset dir> [--only <slice>]");
const dir = values.data;
const base = join(dir, "base.duckdb");
const settings = { memory_limit: "1GB", preserve_insertion_order: "false" } as const;

if (!existsSync(base)) {
  const instance = await DuckDBInstance.create(base, settings);
  const connection = await instance.connect();
  for (const table of Object.keys(BASE_TABLES) as (keyof typeof BASE_TABLES)[]) {
    await connection.run(BASE_TABLE_DDL[table]);
    const columns = BASE_TABLES[table].map((c) => `"${c}"`).join(", ");
    await connection.run(
      `INSERT INTO ${table} SELECT ${columns} FROM read_parquet('${join(dir, `${table}.parquet`)}') ORDER BY ${BASE_TABLE_ORDER[table]}`,
    );
  }
  connection.closeSync();
  instance.closeSync();
}

const work = join(dir, "profile.duckdb");
await rm(work, { force: true });
await copyFile(base, work);
const instance = await DuckDBInstance.create(work, settings);
const connection = await instance.connect();
const plain = connectionRunner(connection);
let profiled = 0;
const statementTimes: { sql: string; ms: number }[] = [];
const timed = async <T>(sql: string, run: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  const result = await run();
  if (values.statements) statementTimes.push({ sql, ms: performance.now() - started });
  return result;
};
const explained: SqlRunner = {
  run: (sql, params) => timed(sql, () => runExplained(sql, params)),
  all: (sql, params) => timed(sql, () => plain.all(sql, params)),
};
async function runExplained(sql: string, params: Parameters<SqlRunner["run"]>[1]): Promise<void> {
  if (values.explain && /^\s*CREATE/i.test(sql)) {
    profiled += 1;
    const file = `${work}.profile-${profiled}.json`;
    await plain.run("SET enable_profiling = 'json'");
    await plain.run(`SET profiling_output = '${file}'`);
    await plain.run(sql, params);
    await plain.run("SET enable_profiling = 'no_output'");
    process.stdout.write(`profile of ${sql.slice(0, 60).replace(/\s+/g, " ")}...: ${file}\n`);
  } else await plain.run(sql, params);
}
const time = async (name: string, run: () => Promise<unknown>) => {
  const started = performance.now();
  statementTimes.length = 0;
  await run();
  process.stdout.write(`${name}: ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
  for (const { sql, ms } of statementTimes.sort((a, b) => b.ms - a.ms).slice(0, 5)) {
    if (ms >= 100)
      process.stdout.write(
        `  ${(ms / 1000).toFixed(2)} s  ${sql.replace(/\s+/g, " ").slice(0, 110)}\n`,
      );
  }
};
const dates = await resolveAnalyticsDates(plain, undefined);
const context = { dates, options: {}, dataAsOf: new Date() };
for (const step of ANALYTICS_BUILDS) {
  if (values.only !== undefined && !values.only.split(",").includes(step.slice)) continue;
  await time(step.tables[0], () => step.build(explained, context));
}
connection.closeSync();
instance.closeSync();
await rm(work, { force: true });

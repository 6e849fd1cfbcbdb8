/**
 * Times the value models at a bench scale: `npx tsx test/bench/value-fit.ts --scale large`
 * (or small). Generates (or reuses) the bench data set, loads customer_products into an
 * in-memory DuckDB, then reports the time of the two likelihood fits alone, of the whole
 * default-argument fit (summary SQL included) and of the precomputed tables' build.
 *
 * @module
 */
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { buildValueModel } from "../../src/analytics/value/value-build.js";
import { fitValueModel } from "../../src/analytics/value/value-model.js";
import { connectionRunner } from "../../src/snapshot/sql-runner.js";
import { ensureDataSet } from "./generate.js";
import { SCALES, type ScaleName } from "./scale.js";

const scaleArg = process.argv[process.argv.indexOf("--scale") + 1] ?? "small";
if (!(scaleArg in SCALES)) throw new Error(`--scale must be small or large, not ${scaleArg}`);
const scale = SCALES[scaleArg as ScaleName];
const data = await ensureDataSet(join("data", "bench"), scale, 1);
const instance = await DuckDBInstance.create(":memory:", { threads: "2" });
const connection = await instance.connect();
const db = connectionRunner(connection);
const file = join(data.dir, "customer_products.parquet").replaceAll("'", "''");
await db.run(`CREATE TABLE customer_products AS SELECT * FROM read_parquet('${file}')`);
const [ref] = await db.all(
  "SELECT strftime(max(start_date) + 1, '%Y-%m-%d') AS d FROM customer_products",
);
const calibrationEnd = String(ref?.d);
const args = {
  calibrationEnd,
  timeUnit: "day",
  holdoutEnd: "",
  horizonMonths: 12,
  monthlyDiscount: 0.01,
} as const;
let started = performance.now();
const model = await fitValueModel(db, args);
const fitAllMs = performance.now() - started;
started = performance.now();
const builds = await buildValueModel(db, { calibrationEnd });
const buildMs = performance.now() - started;
process.stdout.write(
  `${JSON.stringify(
    {
      scale: scale.name,
      customers: model.customers,
      repeatBuyers: model.repeatBuyers,
      bgnbd: model.bgnbd,
      gammaGamma: model.gammaGamma,
      likelihoodFitsSeconds: model.fitSeconds,
      fitWithSummarySeconds: fitAllMs / 1000,
      buildSeconds: buildMs / 1000,
      builds,
    },
    null,
    2,
  )}\n`,
);
connection.closeSync();
instance.closeSync();

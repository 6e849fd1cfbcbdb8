/**
 * A diagnostic: `npx tsx test/bench/medium-data.ts [--customers 200000] [--relationships 2000000]`
 * generates a data set between the two benchmark scales into `data/bench/medium/` (the generator of
 * the benchmark, same shape), for profiling the derived builds on a loaded machine where the
 * large scale takes too long to iterate on.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ensureDataSet } from "./generate.js";
import { SCALES } from "./scale.js";

const { values } = parseArgs({
  options: {
    customers: { type: "string", default: "200000" },
    products: { type: "string", default: "5000" },
    relationships: { type: "string", default: "2000000" },
  },
});
const scale = {
  ...SCALES.large,
  customers: Number(values.customers),
  products: Number(values.products),
  relationships: Number(values.relationships),
};
const set = await ensureDataSet("data/bench/medium", scale, 1);
process.stdout.write(`${set.dir}: ${set.relationships} relationships in ${set.generateMs} ms\n`);

/**
 * A diagnostic: `npx tsx test/tools/memory-build-profile.ts --snapshot <file.duckdb> [--memory-mb 512]`
 * opens a snapshot file as the service does and builds every in-memory structure, printing each
 * one's build time, bytes and the process's RSS after it, so that the structures' build time and
 * memory at a given scale can be read without a whole benchmark.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { MEMORY_STRUCTURES, warmSnapshot } from "../../src/query/warm-snapshot.js";
import { Snapshot } from "../../src/snapshot/snapshot.js";

const { values } = parseArgs({
  options: { snapshot: { type: "string" }, "memory-mb": { type: "string", default: "512" } },
});
if (values.snapshot === undefined) throw new Error("usage: --snapshot <file.duckdb>");

/** The process's current and peak RSS in MiB, from /proc. */
function rss(): string {
  const status = readFileSync("/proc/self/status", "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  const m = process.memoryUsage();
  const mib = (n: number) => Math.round(n / 1024 ** 2);
  return `rss ${Math.round(kb("VmRSS") / 1024)} MiB, peak ${Math.round(kb("VmHWM") / 1024)} MiB (V8 heap ${mib(m.heapUsed)}/${mib(m.heapTotal)} MiB, array buffers ${mib(m.arrayBuffers)} MiB)`;
}

const began = performance.now();
const snapshot = await Snapshot.open(
  values.snapshot,
  4,
  async () => {},
  (event) => {
    const at = ((performance.now() - began) / 1000).toFixed(1);
    if (event.kind === "built") {
      console.log(`${at} s: ${event.name} built in ${(event.ms / 1000).toFixed(1)} s; ${rss()}`);
    } else console.log(`${at} s: ${event.name} failed: ${String(event.error)}`);
  },
  undefined,
  Number(values["memory-mb"]),
);
console.log(`opened; ${rss()}`);
await snapshot.use(async (db) => {
  warmSnapshot(db);
  for (const key of MEMORY_STRUCTURES) await db.memo.settled(key);
});
console.log(`all built after ${((performance.now() - began) / 1000).toFixed(1)} s; ${rss()}`);
await snapshot.close();

/**
 * `npm run bench -- [--scale small|large] [--seed N] [--log-level info|warn|...]`: runs the
 * benchmark (see `run-bench.ts`), prints the Markdown report and writes it, with the JSON, to
 * `data/bench/report-<scale>.md` / `.json`. Figures are printed, never asserted. Every child
 * process is killed on the way out, whether the run succeeded, failed or was interrupted.
 *
 * @module
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { childrenGone, killAllChildren, ROOT } from "./processes.js";
import { renderMarkdown } from "./render-markdown.js";
import { runBench } from "./run-bench.js";
import { SCALES, type ScaleName } from "./scale.js";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

function options() {
  const { values } = parseArgs({
    options: {
      scale: { type: "string", default: "small" },
      seed: { type: "string", default: "42" },
      "log-level": { type: "string", default: "info" },
    },
  });
  const name = values.scale;
  if (name !== "small" && name !== "large") throw new Error("--scale must be small or large");
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error("--seed must be a whole number ≥ 0");
  const logLevel = values["log-level"];
  if (!LOG_LEVELS.includes(logLevel))
    throw new Error(`--log-level must be one of ${LOG_LEVELS.join(", ")}`);
  return { scale: SCALES[name as ScaleName], seed, logLevel };
}

async function main(): Promise<number> {
  process.on("exit", killAllChildren);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      killAllChildren();
      process.exit(130);
    });
  }
  const { scale, seed, logLevel } = options();
  const dataRoot = join(ROOT, "data", "bench");
  await mkdir(dataRoot, { recursive: true });
  const workDir = await mkdtemp(join(tmpdir(), "ca-bench-"));
  const started = performance.now();
  const progress = (message: string) =>
    process.stderr.write(
      `[bench ${((performance.now() - started) / 1000).toFixed(1)} s] ${message}\n`,
    );
  try {
    const command = `npm run bench -- --scale ${scale.name}${seed === 42 ? "" : ` --seed ${seed}`}${
      logLevel === "info" ? "" : ` --log-level ${logLevel}`
    }`;
    const report = await runBench({ command, scale, seed, logLevel, dataRoot, workDir, progress });
    const markdown = renderMarkdown(report);
    await writeFile(
      join(dataRoot, `report-${scale.name}.json`),
      `${JSON.stringify(report, null, 2)}\n`,
    );
    await writeFile(join(dataRoot, `report-${scale.name}.md`), markdown);
    process.stdout.write(`${markdown}\n`);
    progress(`done; reports in ${join("data", "bench", `report-${scale.name}.md`)} and .json`);
    return 0;
  } catch (err) {
    process.stderr.write(
      `benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 1;
  } finally {
    killAllChildren();
    await childrenGone();
    await rm(workDir, { recursive: true, force: true });
  }
}

process.exit(await main());

/**
 * Restart-to-ready of the compiled service (`node dist/src/main.js`) against the same code under
 * tsx (`node --import tsx src/main.ts`): both start, alternately, `--runs` times on one DATA_DIR
 * that already holds a snapshot of the bundled demo data, and the time from spawn to the first
 * 200 from /readyz is printed per run with the median of each. A diagnostic, not a test: run it
 * on a calm machine.
 *
 * Run: `npx tsx test/tools/restart-to-ready.ts [--runs 10]`.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import buildService, { SERVICE_MAIN } from "../support/build-service.js";
import { sleep } from "../support/child-service.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const COMMANDS = {
  compiled: [SERVICE_MAIN],
  tsx: ["--import", "tsx", "src/main.ts"],
} as const;

/** Spawns one variant on `dataDir` and resolves with ms to ready and the child, still running. */
async function start(
  args: readonly string[],
  dataDir: string,
  port: number,
  limitMs: number,
): Promise<{ ms: number; child: ChildProcess }> {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "warn",
      SOURCE: "online-retail",
      DATA_DIR: dataDir,
      SNOWFLAKE_DISABLE_PLATFORM_DETECTION: "true",
    },
    stdio: "ignore",
  });
  while (performance.now() - started < limitMs) {
    const status = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) return { ms: performance.now() - started, child };
    await sleep(20);
  }
  child.kill("SIGKILL");
  throw new Error(`not ready within ${limitMs} ms`);
}

/** SIGTERM and wait for the exit. */
async function stop(child: ChildProcess): Promise<void> {
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await exited;
}

/** The middle value (mean of the two middle ones for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const runsArg = process.argv.indexOf("--runs");
const runs = runsArg < 0 ? 10 : Number(process.argv[runsArg + 1]);
buildService();
const dataDir = await mkdtemp(join(tmpdir(), "ca-restart-"));
const port = 20_000 + Math.floor(Math.random() * 20_000);
try {
  // The first start builds the snapshot (a full sync of the demo data), then every start serves it.
  const first = await start(COMMANDS.compiled, dataDir, port, 300_000);
  await stop(first.child);
  const times: Record<keyof typeof COMMANDS, number[]> = { compiled: [], tsx: [] };
  for (let run = 0; run < runs; run++) {
    for (const variant of ["compiled", "tsx"] as const) {
      const { ms, child } = await start(COMMANDS[variant], dataDir, port, 60_000);
      await stop(child);
      times[variant].push(ms);
      process.stdout.write(`run ${run + 1} ${variant}: ${ms.toFixed(0)} ms\n`);
    }
  }
  for (const variant of ["compiled", "tsx"] as const) {
    const all = times[variant].map((t) => t.toFixed(0)).join(", ");
    process.stdout.write(
      `${variant}: median ${median(times[variant]).toFixed(0)} ms over ${runs} (${all})\n`,
    );
  }
} finally {
  await rm(dataDir, { recursive: true, force: true });
}

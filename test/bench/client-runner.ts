/**
 * Runs the load client (`load-client.ts`) as a separate process for a plan and reads its JSON
 * answer, with a time limit derived from the plan's own bounds.
 *
 * @module
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ClientJob, ClientPlan, ClientReport } from "./load-client.js";
import { sleep, spawnNode } from "./processes.js";

/**
 * Spawns the client for `plan` (written to `workDir`), waits for it to exit and returns its
 * report. Fails, killing it, when it exits without a report or overruns its bounds by a minute.
 */
export async function runClient(plan: ClientPlan, workDir: string): Promise<ClientReport> {
  const path = join(workDir, `plan-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(path, JSON.stringify(plan));
  let stdout = "";
  const child = spawnNode(
    "test/bench/load-client.ts",
    {},
    {
      args: [path],
      onStdout(text) {
        stdout += text;
      },
    },
  );
  const limitMs = 60_000 + plan.jobs.reduce((sum, job) => sum + budgetMs(job), 0);
  const code = await Promise.race([child.exited(), sleep(limitMs).then(() => "timeout" as const)]);
  if (code === "timeout") {
    await child.stop(1_000);
    throw new Error(`the load client overran ${limitMs} ms:\n${child.output()}`);
  }
  const line = stdout.trim().split("\n").at(-1) ?? "";
  if (code !== 0 || !line.startsWith("{")) {
    throw new Error(`the load client failed (exit ${code}):\n${child.output()}`);
  }
  return JSON.parse(line) as ClientReport;
}

/** The longest a job may take: its bounds plus one request's timeout (30 s). */
function budgetMs(job: ClientJob): number {
  return job.bounds.warmupMs + job.bounds.maxMs + 30_000;
}

/**
 * Runs the emulator as a child process (`node --import tsx test/emulator/main.ts`) and
 * drives it through the admin HTTP API, with the same {@link EmulatorHandle} shape as the
 * in-process emulator — for benchmarks that must not share a CPU-bound event loop with it.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { EmulatorHandle } from "./index.js";
import type { AdminSqlParam, AdminSqlResult, EmulatorStats, FaultConfig } from "./types.js";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

/** Waits for the child's `{"event":"listening"}` line; rejects on exit or timeout. */
function listening(child: ChildProcess, timeoutMs: number): Promise<{ url: string; port: number }> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    let stderr = "";
    const timer = setTimeout(
      () => fail(new Error(`emulator did not start within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    };
    child.stderr?.on("data", (data: Buffer) => {
      stderr += data.toString();
    });
    child.once("exit", (code) =>
      fail(new Error(`emulator exited with code ${code}: ${stderr.trim()}`)),
    );
    child.stdout?.on("data", (data: Buffer) => {
      buffered += data.toString();
      for (const line of buffered.split("\n").slice(0, -1)) {
        try {
          const event = JSON.parse(line) as { event?: string; url?: string; port?: number };
          if (event.event === "listening" && event.url !== undefined && event.port !== undefined) {
            clearTimeout(timer);
            child.removeAllListeners("exit");
            resolve({ url: event.url, port: event.port });
            return;
          }
        } catch {
          // not a JSON line; ignore
        }
      }
      buffered = buffered.slice(buffered.lastIndexOf("\n") + 1);
    });
  });
}

/**
 * Starts an emulator in a child process. `env` adds `EMULATOR_*` variables (see `main.ts`);
 * the port defaults to 0 (any free port).
 */
export async function spawnEmulator(
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<EmulatorHandle> {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: { ...process.env, EMULATOR_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const { url, port } = await listening(child, timeoutMs);
  const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}/__emulator/${path}`, {
      method,
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as T & { error?: string };
    if (!response.ok)
      throw new Error(json.error ?? `admin ${path} failed with HTTP ${response.status}`);
    return json;
  };
  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
        child.once("exit", () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill("SIGTERM");
      });
      return closed;
    },
    sql: (sql: string, params: readonly AdminSqlParam[] = []) =>
      admin<AdminSqlResult>("POST", "sql", { sql, params }),
    setFaults: async (faults: FaultConfig) => {
      await admin("POST", "faults", faults);
    },
    clearFaults: async () => {
      await admin("DELETE", "faults");
    },
    stats: () => admin<EmulatorStats>("GET", "stats"),
    stageFiles: () => admin<string[]>("GET", "stages"),
    resetStats: async () => {
      await admin("POST", "stats/reset");
    },
  };
}

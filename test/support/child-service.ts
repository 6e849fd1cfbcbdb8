import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import * as net from "node:net";
import { fileURLToPath } from "node:url";
import { SERVICE_MAIN } from "./build-service.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * The service running as its own process, compiled (`node dist/src/main.js`, built by the
 * tests' global setup), as `npm start` and the image run it.
 */
export interface ChildService {
  readonly baseUrl: string;
  /** Milliseconds from spawn to the first 200 from /readyz (or to the port answering). */
  readonly readyMs: number;
  readonly process: ChildProcess;
  /** Everything the process wrote so far. */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code, or rejects after `limitMs`. */
  stop(limitMs: number): Promise<{ code: number | null; ms: number }>;
  /** Kills the process at once (SIGKILL) and waits for it to be gone. */
  kill(): Promise<void>;
}

/**
 * Spawns the service with `env` (plus PATH and HOME) on a free port and waits, in a bounded
 * loop of 20 s, until `/readyz` says ready, or, with `waitFor: "listening"`, until the port
 * answers at all (for a service that is expected to start without a snapshot).
 */
export async function startChildService(
  env: Record<string, string>,
  waitFor: "ready" | "listening" = "ready",
): Promise<ChildService> {
  const port = await freePort();
  const started = performance.now();
  let output = "";
  const child = spawn(process.execPath, [SERVICE_MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const handle: Omit<ChildService, "readyMs"> = {
    baseUrl,
    process: child,
    output: () => output,
    async stop(limitMs) {
      const begun = performance.now();
      const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
      child.kill("SIGTERM");
      const [code] = await Promise.race([
        exited,
        sleep(limitMs).then(() => {
          throw new Error(`no exit within ${limitMs} ms after SIGTERM:\n${output}`);
        }),
      ]);
      return { code, ms: performance.now() - begun };
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    },
  };
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`the service exited early:\n${output}`);
    const status = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(1_000) }).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200 || (waitFor === "listening" && status !== 0)) {
      return { ...handle, readyMs: performance.now() - started };
    }
    await sleep(100);
  }
  await handle.kill();
  throw new Error(`the service was not ${waitFor} within 20 s:\n${output}`);
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A port that was free a moment ago on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Child processes of the benchmark (emulator, service, load client): spawned with tsx, tracked
 * so that every one is killed when the benchmark ends however it ends, with their output kept
 * (the tail only) for error messages, and their peak resident memory read from /proc.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import * as net from "node:net";
import { fileURLToPath } from "node:url";

/** The repository root: children run from here. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const KEEP_OUTPUT = 64 * 1024;
const running = new Set<ChildProcess>();

/** A child Node process running a TypeScript entry point. */
export interface NodeChild {
  readonly process: ChildProcess;
  readonly pid: number;
  /** The last 64 KiB of what it wrote to stdout and stderr. */
  output(): string;
  /** Resolves with its exit code once it has exited. */
  exited(): Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns `node [nodeArgs] --import tsx <script> [args]` from the repository root with exactly
 * `env` plus PATH and HOME (the parent's environment does not leak into the service); a
 * compiled `.js` script runs with plain node, as production runs it.
 * `onStdout` sees stdout as it arrives (the load client answers there).
 */
export function spawnNode(
  script: string,
  env: Record<string, string>,
  options: {
    args?: readonly string[];
    nodeArgs?: readonly string[];
    onStdout?: (text: string) => void;
  } = {},
): NodeChild {
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      ...(script.endsWith(".ts") ? ["--import", "tsx"] : []),
      script,
      ...(options.args ?? []),
    ],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  if (child.pid === undefined) throw new Error(`could not spawn ${script}`);
  running.add(child);
  let tail = "";
  const keep = (text: string) => {
    tail = (tail + text).slice(-KEEP_OUTPUT);
  };
  child.stdout?.on("data", (chunk: Buffer) => {
    const text = chunk.toString();
    keep(text);
    options.onStdout?.(text);
  });
  child.stderr?.on("data", (chunk: Buffer) => keep(chunk.toString()));
  const exit = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      running.delete(child);
      resolve(code);
    });
  });
  return {
    process: child,
    pid: child.pid,
    output: () => tail,
    exited: () => exit,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      child.kill("SIGTERM");
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Kills every child still running, at once (for the exit handler and failures). */
export function killAllChildren(): void {
  for (const child of running) child.kill("SIGKILL");
}

/** Waits for every tracked child to be gone after {@link killAllChildren}. */
export async function childrenGone(): Promise<void> {
  await Promise.all([...running].map((child) => once(child, "exit").catch(() => undefined)));
}

/** Peak resident set size (VmHWM) of a live process, in bytes; undefined once it is gone. */
export function peakRssBytes(pid: number): number | undefined {
  return statusKb(pid, "VmHWM");
}

/** Current resident set size (VmRSS) of a live process, in bytes. */
export function rssBytes(pid: number): number | undefined {
  return statusKb(pid, "VmRSS");
}

function statusKb(pid: number, field: string): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

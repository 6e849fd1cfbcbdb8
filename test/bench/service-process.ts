/**
 * The service, the emulator and the transport floor's bare server as child processes of the
 * benchmark, so that their memory and CPU can be read from /proc and their CPU is not shared
 * with the measuring code's event loop.
 *
 * @module
 */
import buildService, { SERVICE_MAIN } from "../support/build-service.js";
import { freePort, type NodeChild, peakRssBytes, rssBytes, sleep, spawnNode } from "./processes.js";

/** A running service process. */
export interface ServiceProcess {
  readonly child: NodeChild;
  readonly baseUrl: string;
  /** Milliseconds from spawn to the first 200 from /readyz. */
  readonly readyMs: number;
  /** Largest RSS seen while waiting for readiness (sampled every 100 ms), in bytes. */
  readonly sampledPeakRss: number;
}

let built = false;

/**
 * Spawns the compiled service (`dist/src/main.js`, built first when stale, as `npm start` does)
 * with `env` on a free port of 127.0.0.1 and polls /readyz (every 100 ms,
 * for at most `limitMs`) until it answers 200. Fails, killing the process, if it exits, the
 * limit passes, or `check` (called about once a second while waiting) throws.
 */
export async function spawnService(
  env: Record<string, string>,
  limitMs: number,
  check?: (baseUrl: string) => Promise<void>,
): Promise<ServiceProcess> {
  if (!built) {
    buildService();
    built = true;
  }
  const port = await freePort();
  const started = performance.now();
  const child = spawnNode(SERVICE_MAIN, { HOST: "127.0.0.1", PORT: String(port), ...env });
  const baseUrl = `http://127.0.0.1:${port}`;
  let sampledPeakRss = 0;
  let exited = false;
  let polls = 0;
  void child.exited().then(() => {
    exited = true;
  });
  while (performance.now() - started < limitMs) {
    if (exited) throw new Error(`the service exited before it was ready:\n${child.output()}`);
    sampledPeakRss = Math.max(sampledPeakRss, rssBytes(child.pid) ?? 0);
    const status = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) {
      return { child, baseUrl, readyMs: performance.now() - started, sampledPeakRss };
    }
    if (check !== undefined && status !== 0 && ++polls % 10 === 0) {
      await check(baseUrl).catch(async (err: unknown) => {
        await child.stop(1_000);
        throw err;
      });
    }
    await sleep(100);
  }
  await child.stop(1_000);
  throw new Error(`the service was not ready within ${limitMs} ms:\n${child.output()}`);
}

/** The peak RSS (VmHWM) of a running service, in bytes, or 0 when it cannot be read. */
export function servicePeakRss(service: ServiceProcess): number {
  return Math.max(peakRssBytes(service.child.pid) ?? 0, service.sampledPeakRss);
}

/** A running emulator process. */
export interface EmulatorProcess {
  readonly child: NodeChild;
  readonly url: string;
  /** Milliseconds from spawn to listening (includes loading the Parquet files). */
  readonly startMs: number;
}

/**
 * Spawns the Snowflake emulator with the three tables loaded from `dataDir` (Parquet), on a free
 * port of 127.0.0.1, with a larger heap: it materialises each result as JSON chunks.
 */
export async function spawnEmulatorProcess(
  dataDir: string,
  heapMb: number,
  limitMs: number,
): Promise<EmulatorProcess> {
  return spawnListening(
    "test/emulator/main.ts",
    {
      EMULATOR_PORT: "0",
      EMULATOR_HOST: "127.0.0.1",
      EMULATOR_DATA_DIR: dataDir,
      SNOWFLAKE_DISABLE_PLATFORM_DETECTION: "true",
    },
    [`--max-old-space-size=${heapMb}`],
    limitMs,
  );
}

/** A running floor server (see `bare-grpc-server.ts` and `bare-connect-server.ts`). */
export interface BareGrpcServer {
  readonly child: NodeChild;
  readonly url: string;
}

/**
 * Spawns one of the floors' servers on a free port of 127.0.0.1: `bare-grpc-server.ts` (bare
 * `node:http2` answering every call with a fixed message: the ceiling of HTTP/2 in Node with the
 * load client on this machine) or `bare-connect-server.ts` (connect-node with nothing around it).
 */
export async function spawnBareGrpcServer(
  script: "test/bench/bare-grpc-server.ts" | "test/bench/bare-connect-server.ts",
  limitMs: number,
): Promise<BareGrpcServer> {
  const { child, url } = await spawnListening(script, {}, [], limitMs);
  return { child, url };
}

/**
 * Spawns `script`, which prints `{"event":"listening","url":...}` on stdout once it listens,
 * and resolves with that url. Fails, killing it, if it exits first or `limitMs` passes.
 */
async function spawnListening(
  script: string,
  env: Record<string, string>,
  nodeArgs: readonly string[],
  limitMs: number,
): Promise<{ child: NodeChild; url: string; startMs: number }> {
  const started = performance.now();
  let resolveUrl: (url: string) => void = () => {};
  const listening = new Promise<string>((resolve) => {
    resolveUrl = resolve;
  });
  let buffered = "";
  const child = spawnNode(script, env, {
    nodeArgs,
    onStdout(text) {
      buffered += text;
      for (const line of buffered.split("\n").slice(0, -1)) {
        const url = listeningUrl(line);
        if (url !== undefined) resolveUrl(url);
      }
      buffered = buffered.slice(buffered.lastIndexOf("\n") + 1);
    },
  });
  const outcome = await Promise.race([
    listening,
    child.exited().then(() => new Error(`${script} exited:\n${child.output()}`)),
    sleep(limitMs).then(() => new Error(`${script} did not listen within ${limitMs} ms`)),
  ]);
  if (outcome instanceof Error) {
    await child.stop(1_000);
    throw outcome;
  }
  return { child, url: outcome, startMs: performance.now() - started };
}

function listeningUrl(line: string): string | undefined {
  try {
    const event = JSON.parse(line) as { event?: unknown; url?: unknown };
    return event.event === "listening" && typeof event.url === "string" ? event.url : undefined;
  } catch {
    return undefined;
  }
}

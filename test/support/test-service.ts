import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/server/logger.js";
import { type Service, startService } from "../../src/service.js";

/** The hand-made fixture whose answers the tests work out by hand. */
export const BASIC_FIXTURE = fileURLToPath(new URL("../fixtures/basic", import.meta.url));

/** A real service on an ephemeral port with its own data directory. */
export interface TestService {
  readonly service: Service;
  readonly port: number;
  readonly baseUrl: string;
  readonly dataDir: string;
  /** Stops the service and, unless `keepData`, removes its data directory. */
  close(options?: { keepData?: boolean }): Promise<void>;
}

/**
 * Starts the whole service as `main` would (config from an environment, real DuckDB files, a
 * real listener on 127.0.0.1) and waits for its first sync, so a test can call it at once.
 */
export async function startTestService(
  env: Record<string, string> = {},
  dataDir?: string,
): Promise<TestService> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), "ca-test-")));
  const config = loadConfig({
    SOURCE: "local",
    LOCAL_SOURCE_DIR: BASIC_FIXTURE,
    DATA_DIR: dir,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    SHUTDOWN_GRACE: "500ms",
    ...env,
  });
  const service = await startService(config, createLogger(config.logLevel));
  await service.syncer.sync("startup");
  const port = service.server.port;
  return {
    service,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    dataDir: dir,
    async close(options) {
      await service.close();
      if (options?.keepData !== true) await rm(dir, { recursive: true, force: true });
    },
  };
}

import { ConfigError, loadConfig } from "./config.js";
import { createLogger } from "./server/logger.js";

process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = "true";

/** Hard limit on shutdown, after which the process exits whatever is still running. */
const SHUTDOWN_LIMIT_MS = 10_000;

/**
 * Start-up and shutdown only: configuration, logger, the service, and the signals that stop
 * it (SIGTERM, SIGINT) or reload its credentials (SIGHUP). The service module is imported after the environment is set, so the Snowflake driver
 * never loads with cloud-metadata probing on.
 */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`configuration error: ${err.message}\n`);
    process.exit(2);
  }
  const log = createLogger(config.logLevel);
  const { startService } = await import("./service.js");
  let service: Awaited<ReturnType<typeof startService>>;
  try {
    service = await startService(config, log);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`configuration error: ${err.message}\n`);
    process.exit(2);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    setTimeout(() => {
      log.error("shutdown took too long; exiting");
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    service.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err: String(err) }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGHUP", () => {
    log.info({ signal: "SIGHUP" }, "reloading credentials");
    void service.reloadCredentials();
  });
}

await main();

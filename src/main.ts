import { ConfigError, loadConfig } from "./config.js";
import { createLogger } from "./server/logger.js";

process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = "true";

/**
 * Time allowed for shutdown beyond SHUTDOWN_GRACE (connections closing, snapshot closing), after
 * which the process exits whatever is still running. With the default grace (5 s) the process is
 * gone within 8 s, inside Docker's and Kubernetes' default stop timeouts (10 s, 30 s).
 */
const SHUTDOWN_MARGIN_MS = 3_000;

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
    }, config.shutdownGraceMs + SHUTDOWN_MARGIN_MS).unref();
    // A sync in progress is aborted rather than waited for (a first sync can take minutes),
    // and one stuck on a Snowflake query is left behind: the next start removes what it wrote
    // and serves the last complete snapshot.
    service.close({ abandonSync: true }).then(
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

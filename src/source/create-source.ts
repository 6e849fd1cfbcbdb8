import type { Config } from "../config.js";
import { embeddedSource } from "./embedded-source.js";
import { fileSource } from "./file-source.js";
import { snowflakeSource } from "./snowflake-source.js";
import type { Source } from "./source.js";

/**
 * The source the configuration names; only Snowflake's carries a `live` runner, and only
 * Snowflake's and the embedded database's a `writer`.
 */
export function createSource(config: Config, log?: (message: string) => void): Source {
  switch (config.source) {
    case "local":
      return fileSource("local", config.localSourceDir);
    case "online-retail":
      return fileSource("online-retail");
    case "embedded":
      return embeddedSource(config.dataDir, config.localSourceDir);
    case "snowflake":
      if (config.snowflake === undefined) {
        throw new Error("SOURCE=snowflake needs the SNOWFLAKE_* settings");
      }
      return snowflakeSource(config.snowflake, {
        maxConcurrentLive: config.liveMaxConcurrency,
        liveTimeoutMs: config.liveQueryTimeoutMs,
        statementTimeoutSeconds: config.snowflakeStatementTimeoutMs / 1000,
        writeTimeoutMs: config.writeTimeoutMs,
        bulk: config.syncBulk,
        bulkMinRows: config.syncBulkMinRows,
        ...(config.snowflakeStage === undefined ? {} : { stage: config.snowflakeStage }),
        ...(log === undefined ? {} : { driverLog: log }),
      });
  }
}

import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

describe("configuration from the environment", () => {
  it("has working defaults: the embedded database, seeded from the bundled data, on :8080", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      source: "embedded",
      syncAfterWritesMs: 60_000,
      writeTimeoutMs: 10_000,
      defaultMaxStalenessMs: 24 * 3600_000,
      corsOrigins: [],
      syncCron: undefined,
    });
    expect(config.dataDir.endsWith("/data")).toBe(true);
  });

  it("runs as one process that syncs for itself unless ROLE says otherwise", () => {
    expect(loadConfig({}).scaleOut).toEqual({
      role: "all",
      publishDir: undefined,
      publishPollMs: 5_000,
      writeLogGraceMs: 60_000,
    });
    const replica = loadConfig({
      ROLE: "Replica",
      PUBLISH_DIR: tmpdir(),
      PUBLISH_POLL: "2s",
      WRITE_LOG_GRACE: "5s",
    });
    expect(replica.scaleOut).toEqual({
      role: "replica",
      publishDir: tmpdir(),
      publishPollMs: 2_000,
      writeLogGraceMs: 5_000,
    });
    // A syncer makes its directory if the shared volume is still empty.
    expect(loadConfig({ ROLE: "syncer", PUBLISH_DIR: "/nonexistent" }).scaleOut.role).toBe(
      "syncer",
    );
  });

  it("turns the sync after writes off, or sets its delay", () => {
    expect(loadConfig({ SYNC_AFTER_WRITES: "off" }).syncAfterWritesMs).toBeUndefined();
    expect(loadConfig({ SYNC_AFTER_WRITES: "OFF" }).syncAfterWritesMs).toBeUndefined();
    expect(loadConfig({ SYNC_AFTER_WRITES: "5m" }).syncAfterWritesMs).toBe(300_000);
  });

  it("reads the bulk-unload settings and refuses a stage name that is not an identifier", () => {
    expect(loadConfig({})).toMatchObject({
      syncBulk: "auto",
      syncBulkMinRows: 200_000,
      snowflakeStage: undefined,
    });
    expect(
      loadConfig({
        SYNC_BULK: "off",
        SYNC_BULK_MIN_ROWS: "5000",
        SNOWFLAKE_STAGE: "CRM.PUBLIC.UNLOAD",
      }),
    ).toMatchObject({
      syncBulk: "off",
      syncBulkMinRows: 5000,
      snowflakeStage: "CRM.PUBLIC.UNLOAD",
    });
    expect(() => loadConfig({ SYNC_BULK: "sometimes" })).toThrow(/SYNC_BULK/);
    expect(() => loadConfig({ SNOWFLAKE_STAGE: "x'; DROP TABLE t" })).toThrow(ConfigError);
    expect(() => loadConfig({ SNOWFLAKE_STAGE: "@stage" })).toThrow(
      /SNOWFLAKE_STAGE must be a stage name/,
    );
  });

  it("picks the source from what is configured", () => {
    expect(loadConfig({ LOCAL_SOURCE_DIR: tmpdir() }).source).toBe("local");
    const snowflake = loadConfig({
      SNOWFLAKE_ACCOUNT: "acme",
      SNOWFLAKE_USER: "reader",
      SNOWFLAKE_PASSWORD: "pw",
      SNOWFLAKE_ACCESS_URL: "http://127.0.0.1:1",
    });
    expect(snowflake.source).toBe("snowflake");
    expect(snowflake.snowflake).toMatchObject({
      account: "acme",
      user: "reader",
      accessUrl: "http://127.0.0.1:1",
    });
  });

  it("parses durations, lists and cron expressions", () => {
    const config = loadConfig({
      DEFAULT_MAX_STALENESS: "15m",
      DEFAULT_DEADLINE: "500ms",
      SHUTDOWN_GRACE: "2",
      CORS_ORIGINS: "http://a.example, http://b.example,",
      SYNC_CRON: "*/15 * * * *",
    });
    expect(config.defaultMaxStalenessMs).toBe(900_000);
    expect(config.defaultDeadlineMs).toBe(500);
    expect(config.shutdownGraceMs).toBe(2000);
    expect(config.corsOrigins).toEqual(["http://a.example", "http://b.example"]);
    expect(config.syncCron).toBe("*/15 * * * *");
  });

  it.each([
    [{ PORT: "70000" }, "PORT=70000 must be a whole number from 0 to 65535"],
    [{ PORT: "eighty" }, "PORT=eighty"],
    [
      { SOURCE: "oracle" },
      "SOURCE=oracle is not one of: snowflake, local, online-retail, embedded",
    ],
    [{ SYNC_AFTER_WRITES: "soon" }, "SYNC_AFTER_WRITES=soon must be a duration"],
    [{ WRITE_TIMEOUT: "never" }, "WRITE_TIMEOUT=never must be a duration"],
    [{ SOURCE: "local" }, "SOURCE=local needs LOCAL_SOURCE_DIR"],
    [{ SOURCE: "snowflake" }, "needs SNOWFLAKE_ACCOUNT and SNOWFLAKE_USER"],
    [
      { SNOWFLAKE_ACCOUNT: "a", SNOWFLAKE_USER: "u" },
      "SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY_PATH",
    ],
    [{ TLS_CERT: "/c.pem" }, "TLS_CERT and TLS_KEY must be set together"],
    [{ REFLECTION: "maybe" }, "REFLECTION=maybe is not one of: on, off"],
    [{ MAX_EXPORT_ROWS: "0" }, "MAX_EXPORT_ROWS=0 must be a whole number from 1 to 100000000"],
    [{ DEFAULT_MAX_STALENESS: "soon" }, "DEFAULT_MAX_STALENESS=soon must be a duration"],
    [{ SYNC_CRON: "every hour" }, "SYNC_CRON=every hour is not a cron expression"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL=loud is not one of"],
    [{ LOCAL_SOURCE_DIR: "/nonexistent" }, "LOCAL_SOURCE_DIR=/nonexistent does not exist"],
    [{ MEMO_MAX_BYTES: "lots" }, "MEMO_MAX_BYTES=lots must be a whole number"],
    [
      { SNOWFLAKE_STATEMENT_TIMEOUT: "never" },
      "SNOWFLAKE_STATEMENT_TIMEOUT=never must be a duration",
    ],
    [{ ROLE: "leader" }, "ROLE=leader is not one of: all, syncer, replica"],
    [{ ROLE: "replica" }, "ROLE=replica needs PUBLISH_DIR"],
    [{ ROLE: "syncer" }, "ROLE=syncer needs PUBLISH_DIR"],
    [{ ROLE: "replica", PUBLISH_DIR: "/nonexistent" }, "PUBLISH_DIR=/nonexistent does not exist"],
    [
      { ROLE: "replica", PUBLISH_DIR: tmpdir(), PUBLISH_POLL: "10ms" },
      "PUBLISH_POLL=10ms must be at least 100ms",
    ],
  ])("refuses %o with a message naming the setting", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

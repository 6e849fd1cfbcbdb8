import { basename } from "node:path";
import type { Config } from "../config.js";
import { EMBEDDED_DB_FILE } from "./embedded-source.js";
import { BUNDLED_ONLINE_RETAIL_PATH } from "./online-retail.js";

/**
 * The identity of the configured source, recorded in every snapshot and named in every answer:
 * `snowflake:<ACCOUNT>/<DATABASE>/<SCHEMA>`, `local:<directory>`, `online-retail:<file>` or `embedded:source.duckdb` (the database under
 * DATA_DIR)
 * (the bundled file's name, not its path, so moving the install keeps the snapshot). A
 * snapshot whose identity differs from this one is another source's data and is not served.
 * Unquoted Snowflake identifiers are case-insensitive, so they are compared upper-cased.
 */
export function sourceIdentity(config: Config): string {
  switch (config.source) {
    case "snowflake": {
      const sf = config.snowflake;
      const part = (value: string | undefined) => (value ?? "").toUpperCase();
      return `snowflake:${part(sf?.account)}/${part(sf?.database)}/${part(sf?.schema)}`;
    }
    case "local":
      return `local:${config.localSourceDir ?? ""}`;
    case "online-retail":
      return `online-retail:${basename(BUNDLED_ONLINE_RETAIL_PATH)}`;
    case "embedded":
      return `embedded:${EMBEDDED_DB_FILE}`;
  }
}

import type { Config } from "../config.js";
import { fileSource } from "./file-source.js";
import type { Source } from "./source.js";

/** The source the configuration names. */
export function createSource(config: Config): Source {
  switch (config.source) {
    case "local":
      return fileSource("local", config.localSourceDir);
    case "online-retail":
      return fileSource("online-retail");
    case "snowflake":
      throw new Error("SOURCE=snowflake is not available in this build yet");
  }
}

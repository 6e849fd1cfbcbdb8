/**
 * What the figures were measured on: cores, memory, load, and the versions of Node, DuckDB and
 * the drivers, read from the installed packages.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import * as os from "node:os";
import { join } from "node:path";
import { version as duckdbVersion } from "@duckdb/node-api";
import { ROOT } from "./processes.js";

/** The machine and software a report was made on. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly os: string;
  readonly loadAverageAtStart: readonly number[];
  readonly node: string;
  readonly duckdb: string;
  readonly packages: Readonly<Record<string, string>>;
}

const PACKAGES = [
  "@duckdb/node-api",
  "snowflake-sdk",
  "@connectrpc/connect",
  "@connectrpc/connect-node",
  "@bufbuild/protobuf",
  "tsx",
];

/** Reads the machine's description now. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg(),
    node: process.version,
    duckdb: duckdbVersion(),
    packages: Object.fromEntries(PACKAGES.map((name) => [name, packageVersion(name)])),
  };
}

function packageVersion(name: string): string {
  try {
    const json = readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8");
    return (JSON.parse(json) as { version?: string }).version ?? "unknown";
  } catch {
    return "not installed";
  }
}

/**
 * `npm run emulator`: starts the Snowflake emulator from environment variables and runs until
 * SIGINT/SIGTERM. Prints one JSON line `{"event":"listening","url":…}` on stdout when ready.
 *
 * Environment: `EMULATOR_PORT` (8085; 0 = any free port), `EMULATOR_HOST` (127.0.0.1),
 * `EMULATOR_USER` (analytics), `EMULATOR_PASSWORD` (emulator), `EMULATOR_DATA_DIR` (CSV or
 * Parquet files named after the tables), `EMULATOR_GENERATE` (e.g.
 * `customers=1000,products=50,customer_products=20000`), `EMULATOR_PUBLIC_KEY_PATH` (PEM for
 * key-pair logins), `EMULATOR_DATABASE`, `EMULATOR_SCHEMA`, `EMULATOR_CHUNK_ROWS`,
 * `EMULATOR_INLINE_ROWS`, `EMULATOR_ASYNC_THRESHOLD_MS`, `EMULATOR_LOG=1` (requests to stderr).
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator } from "./index.js";
import type { EmulatorOptions, GenerateSpec } from "./types.js";

/** Reads an integer variable; exits with a clear message when it is not one. */
function intFromEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Parses `EMULATOR_GENERATE` (`table=count,…`). */
export function parseGenerate(raw: string | undefined): GenerateSpec | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const spec: Record<string, number> = {};
  for (const part of raw.split(",")) {
    const [table, count] = part.split("=").map((s) => s.trim());
    if (table === undefined || !["customers", "products", "customer_products"].includes(table)) {
      throw new Error(`EMULATOR_GENERATE: unknown table in ${JSON.stringify(part)}`);
    }
    const n = Number(count);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new Error(`EMULATOR_GENERATE: bad count in ${JSON.stringify(part)}`);
    spec[table] = n;
  }
  return spec;
}

/** The options `npm run emulator` uses, from the environment. */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): EmulatorOptions {
  const text = (name: string): string | undefined => (env[name] === "" ? undefined : env[name]);
  const keyPath = text("EMULATOR_PUBLIC_KEY_PATH");
  const options: Record<string, unknown> = {
    port: intFromEnv(env, "EMULATOR_PORT") ?? 8085,
    host: text("EMULATOR_HOST"),
    user: text("EMULATOR_USER"),
    password: text("EMULATOR_PASSWORD"),
    dataDir: text("EMULATOR_DATA_DIR"),
    generate: parseGenerate(text("EMULATOR_GENERATE")),
    publicKeysPem: keyPath === undefined ? undefined : [readFileSync(keyPath, "utf8")],
    database: text("EMULATOR_DATABASE"),
    schema: text("EMULATOR_SCHEMA"),
    chunkRows: intFromEnv(env, "EMULATOR_CHUNK_ROWS"),
    inlineRowLimit: intFromEnv(env, "EMULATOR_INLINE_ROWS"),
    asyncThresholdMs: intFromEnv(env, "EMULATOR_ASYNC_THRESHOLD_MS"),
    log:
      env.EMULATOR_LOG === "1"
        ? (line: string) => process.stderr.write(`[emulator] ${line}\n`)
        : undefined,
  };
  return Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as EmulatorOptions;
}

async function main(): Promise<void> {
  const emulator = await startEmulator(optionsFromEnv());
  process.stdout.write(
    `${JSON.stringify({ event: "listening", url: emulator.url, port: emulator.port })}\n`,
  );
  const stop = (): void => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

const isEntryPoint =
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isEntryPoint) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `emulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}

/**
 * The state every request handler shares, and the per-request view of it.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ChunkStore } from "./chunks.js";
import type { EmulatorDatabase } from "./database.js";
import type { FaultController } from "./faults.js";
import type { QueryStore } from "./query-store.js";
import type { SessionStore } from "./session-store.js";
import type { StageStore } from "./stage-store.js";
import type { EmulatorOptions, EmulatorStats, GenerateSpec } from "./types.js";

/** {@link EmulatorOptions} with every default filled in. */
export interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly publicKeysPem: readonly string[];
  readonly dataDir: string | undefined;
  readonly generate: GenerateSpec | undefined;
  readonly database: string;
  readonly schema: string;
  readonly warehouse: string;
  readonly role: string;
  readonly inlineRowLimit: number;
  readonly chunkRows: number;
  readonly gzipChunks: boolean;
  readonly asyncThresholdMs: number;
  readonly resultPollHoldMs: number;
  readonly sessionValiditySeconds: number;
  readonly masterValiditySeconds: number;
  readonly timeTravel: boolean;
  readonly timeTravelVersions: number;
  readonly log: (line: string) => void;
}

/** Fills in the defaults of {@link EmulatorOptions}. */
export function resolveOptions(options: EmulatorOptions): ResolvedOptions {
  return {
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 8085,
    user: options.user ?? "analytics",
    password: options.password ?? "emulator",
    publicKeysPem: options.publicKeysPem ?? [],
    dataDir: options.dataDir,
    generate: options.generate,
    database: options.database ?? "ANALYTICS",
    schema: options.schema ?? "PUBLIC",
    warehouse: options.warehouse ?? "EMULATOR_WH",
    role: options.role ?? "EMULATOR_ROLE",
    inlineRowLimit: Math.max(0, options.inlineRowLimit ?? 1000),
    chunkRows: Math.max(1, options.chunkRows ?? 20_000),
    gzipChunks: options.gzipChunks ?? true,
    asyncThresholdMs: Math.max(0, options.asyncThresholdMs ?? 5000),
    resultPollHoldMs: Math.max(1, options.resultPollHoldMs ?? 10_000),
    sessionValiditySeconds: options.sessionValiditySeconds ?? 3600,
    masterValiditySeconds: options.masterValiditySeconds ?? 14_400,
    timeTravel: options.timeTravel ?? true,
    timeTravelVersions: Math.max(1, options.timeTravelVersions ?? 32),
    log: options.log ?? (() => undefined),
  };
}

/** Everything the handlers share. */
export interface EmulatorContext {
  readonly options: ResolvedOptions;
  readonly db: EmulatorDatabase;
  readonly sessions: SessionStore;
  readonly queries: QueryStore;
  readonly chunks: ChunkStore;
  readonly faults: FaultController;
  /** Internal stages and their files (`COPY INTO @stage`, `LIST`, `REMOVE`, `GET`). */
  readonly stages: StageStore;
  /** `http://host:port` the emulator listens on, once it does (stage download URLs). */
  url: string;
  /** Live counters (mutated in place). */
  stats: EmulatorStats;
}

/** One request as a handler sees it. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** `http://host:port` as the client reached the emulator (for absolute chunk URLs). */
  readonly baseUrl: string;
  /** The request body (already read; empty for GET). */
  readonly body: Buffer;
  readonly emulator: EmulatorContext;
}

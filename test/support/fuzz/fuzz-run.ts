import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type Transport } from "@connectrpc/connect";
import {
  Health,
  type HealthCheckResponse_ServingStatus,
} from "../../../gen/grpc/health/v1/health_pb.js";
import { newKey, writeKeysFile } from "../auth-fixtures.js";
import { Rng } from "../fuzz-rng.js";
import { build, plausibleInit } from "../hostile-values.js";
import type { CaseContext } from "./case-runners.js";
import { credentialCases, metricsRefusals } from "./credential-cases.js";
import { type HeapReading, settledHeap } from "./fuzz-heap.js";
import { invoke } from "./fuzz-protocols.js";
import {
  CALL_TIMEOUT_MS,
  CONCURRENCY,
  type Job,
  MAX_REQUEST_BYTES,
  METHODS,
  pool,
  SEED,
} from "./fuzz-settings.js";
import { FuzzTally, judge } from "./fuzz-tally.js";
import {
  collectTokens,
  type DataState,
  dataState,
  type FuzzTarget,
  startFuzzTarget,
} from "./fuzz-target.js";
import { httpShapeCases } from "./http-shape-cases.js";
import { garbageBodyCases, grpcFramingCases } from "./raw-binary-cases.js";
import { randomCases, sweepCases, tokenCases } from "./typed-cases.js";
import { wrongJsonCases } from "./wrong-json-cases.js";

/** The main target as it stood before any case: what the run must leave unchanged. */
export interface Started {
  readonly target: FuzzTarget;
  readonly before: DataState;
}

/** The warm-up's verdicts and the heap it left, the baseline of the leak check. */
export interface WarmUp {
  readonly tally: FuzzTally;
  readonly heap: HeapReading;
}

/** The credential phase's verdicts and the keyed service's health afterwards. */
export interface Credentials {
  readonly tally: FuzzTally;
  readonly health: HealthCheckResponse_ServingStatus;
}

/**
 * The hostile-input run as phases, each run at most once and only when a test asks for it, each
 * after the phases it needs (every phase after the warm-up, whose heap is the baseline). A test
 * awaits the phases it asserts on, so the tests pass or fail the same in any order or alone.
 */
export class FuzzRun {
  #memo = new Map<string, Promise<unknown>>();

  #once<T>(name: string, run: () => Promise<T>): Promise<T> {
    let p = this.#memo.get(name) as Promise<T> | undefined;
    if (p === undefined) {
      p = run();
      this.#memo.set(name, p);
    }
    return p;
  }

  /** The main service (MAX_REQUEST_BYTES lowered), its page tokens and its data beforehand. */
  started(): Promise<Started> {
    return this.#once("started", async () => {
      const target = await startFuzzTarget({ MAX_REQUEST_BYTES: String(MAX_REQUEST_BYTES) });
      const before = await dataState(target);
      await collectTokens(target);
      return { target, before };
    });
  }

  /** Every RPC with a plausible request on every protocol, twice; then the heap baseline. */
  warmUp(): Promise<WarmUp> {
    return this.#once("warm-up", async () => {
      const { target } = await this.started();
      const tally = new FuzzTally();
      const jobs: Job[] = [];
      for (let round = 0; round < 2; round++) {
        for (const method of METHODS) {
          for (const protocol of target.protos) {
            jobs.push(async () => {
              const message = build(method.input, plausibleInit(method.input));
              const outcome = await invoke(protocol.transport, method, message, {});
              const problem = judge(outcome.code, outcome.message, outcome.ms);
              if (problem !== undefined) {
                tally.fail(
                  "warm-up",
                  `${protocol.name} ${method.parent.name}/${method.name}`,
                  problem,
                );
              }
            });
          }
        }
      }
      await pool(jobs, CONCURRENCY);
      await target.running.service.syncer.idle();
      return { tally, heap: await settledHeap() };
    });
  }

  /** The typed cases: field sweeps, random combinations and tampered page tokens. */
  typed(): Promise<FuzzTally> {
    return this.#phase("typed", (ctx) => {
      const rng = new Rng(SEED);
      return [
        ...sweepCases(ctx, rng.fork("sweep")),
        ...randomCases(ctx, rng.fork("random"), 300),
        ...tokenCases(ctx, rng.fork("tokens")),
      ];
    });
  }

  /** The raw cases: garbage bodies, broken gRPC framing, wrong JSON and HTTP shapes. */
  raw(): Promise<FuzzTally> {
    return this.#phase("raw", (ctx) => {
      const rng = new Rng(SEED).fork("raw");
      return [
        ...garbageBodyCases(ctx, rng.fork("garbage")),
        ...grpcFramingCases(ctx, rng.fork("framing")),
        ...wrongJsonCases(ctx, rng.fork("json")),
        ...httpShapeCases(ctx, rng.fork("http")),
      ];
    });
  }

  #phase(name: string, jobsOf: (ctx: CaseContext) => Job[]): Promise<FuzzTally> {
    return this.#once(name, async () => {
      await this.warmUp();
      const { target } = await this.started();
      const ctx: CaseContext = { target, tally: new FuzzTally() };
      await pool(jobsOf(ctx), CONCURRENCY);
      return ctx.tally;
    });
  }

  /**
   * The credential cases against a second service with API_KEYS_FILE and DEFAULT_DEADLINE 1s
   * (what a stalled body without a deadline of its own is held to; the typed calls bring their
   * own 5 s deadline, which replaces it). The service is stopped before the phase resolves.
   */
  credentials(): Promise<Credentials> {
    return this.#once("credentials", async () => {
      await this.warmUp();
      const reader = newKey("fuzz-reader", "reader");
      const admin = newKey("fuzz-admin", "admin");
      const keysDir = await mkdtemp(join(tmpdir(), "ca-fuzz-keys-"));
      let keyed: FuzzTarget | undefined;
      try {
        const keysFile = await writeKeysFile(keysDir, [reader, admin]);
        keyed = await startFuzzTarget({ API_KEYS_FILE: keysFile, DEFAULT_DEADLINE: "1s" });
        const ctx: CaseContext = { target: keyed, tally: new FuzzTally() };
        await pool(credentialCases(ctx, new Rng(SEED).fork("auth"), reader, admin), CONCURRENCY);
        await metricsRefusals(ctx, reader);
        const health = createClient(Health, keyed.protos[0]?.transport as Transport);
        const { status } = await health.check({}, { timeoutMs: CALL_TIMEOUT_MS });
        return { tally: ctx.tally, health: status };
      } finally {
        await keyed?.close();
        await rm(keysDir, { recursive: true, force: true });
      }
    });
  }

  /** Stops the main service if it was started. */
  async close(): Promise<void> {
    const started = this.#memo.get("started") as Promise<Started> | undefined;
    if (started !== undefined) await (await started.catch(() => undefined))?.target.close();
  }
}

import type { Logger } from "pino";
import { AppError } from "../app-error.js";
import type { PendingWrites } from "../query/pending-writes.js";
import type { SourceWriter, WriteTx } from "../source/source-writer.js";
import type { StoredRow } from "./etag.js";
import { RequestIds } from "./request-ids.js";
import { CUSTOMER_SPEC, HOLDING_SPEC, PRODUCT_SPEC, type ResourceSpec } from "./resource-specs.js";
import { RowWriter, type WriteEffect, type WriteOutcome } from "./row-writer.js";

/** Who asks for a write and how it is named: the log line and the request-id check use it. */
export interface WriteCall {
  /** The RPC ("CreateCustomer"). */
  readonly method: string;
  /** The caller as the log names it (API key name, `jwt:<sub>`, or `anonymous`). */
  readonly who: string;
  readonly requestId: string;
  /** The request without its request_id, to tell a retry from another write. */
  readonly body: unknown;
}

/**
 * What happens after a write is confirmed and in the overlay, before the RPC answers: the
 * debounced sync is told, and with several replicas the write is added to the shared log. It
 * must not reject: the write is committed whatever it does.
 */
export type AfterWrite = (
  effects: readonly WriteEffect[],
  committedAt: Date,
) => Promise<void> | void;

/** Where writes go: the source's writer, or why there is none. */
export interface WriteTarget {
  readonly writer: SourceWriter | undefined;
  /** The source's identity, named when it is read-only. */
  readonly identity: string;
  /** Why writes are refused although the source could take them (a replica); replaces the read-only message. */
  readonly refusal?: string;
}

/**
 * The write path: each write runs in one transaction at the source of truth and returns once
 * the source confirmed it; only then is it recorded in the overlay ({@link PendingWrites}) so
 * reads show it, and `afterWrite` is awaited (the debounced sync, the shared write log). A
 * source that fails or times out is UNAVAILABLE with nothing changed here. Every write logs
 * one line: who, what, which key, the request id and the outcome, never the row's values.
 */
export class Writes {
  readonly customers = new RowWriter(CUSTOMER_SPEC);
  readonly products = new RowWriter(PRODUCT_SPEC);
  readonly holdings = new RowWriter(HOLDING_SPEC);
  readonly #ids = new RequestIds();

  constructor(
    private readonly target: WriteTarget,
    private readonly overlay: PendingWrites,
    private readonly log: Logger,
    private readonly afterWrite: AfterWrite = () => undefined,
  ) {}

  /**
   * Runs `write` (a {@link RowWriter} call) for `call` on resource `spec` with key `key`, at
   * most once per request id; resolves with the row now stored (null after a delete).
   */
  run(
    call: WriteCall,
    spec: ResourceSpec,
    key: string,
    write: (tx: WriteTx) => Promise<WriteOutcome>,
  ): Promise<StoredRow | null> {
    return this.#ids.once(call.requestId, call.method, call.body, () =>
      this.#write(call, spec, key, write),
    );
  }

  async #write(
    call: WriteCall,
    spec: ResourceSpec,
    key: string,
    write: (tx: WriteTx) => Promise<WriteOutcome>,
  ): Promise<StoredRow | null> {
    const line = {
      write: call.method,
      who: call.who,
      table: spec.table,
      key,
      requestId: call.requestId,
    };
    const { writer } = this.target;
    if (writer === undefined) {
      this.log.info({ ...line, outcome: "failed_precondition" }, "write refused");
      throw new AppError(
        "failed_precondition",
        this.target.refusal ??
          `the source ${this.target.identity} is read-only (files); writes need Snowflake or the embedded database (SOURCE=embedded)`,
      );
    }
    let done: { value: WriteOutcome; committedAt: Date };
    try {
      done = await writer.transaction(write);
    } catch (err) {
      const failure =
        err instanceof AppError
          ? err
          : new AppError(
              "unavailable",
              `the source of truth (${writer.target}) did not confirm the write, so nothing was changed here: ${err instanceof Error ? err.message : String(err)}`,
              { cause: err },
            );
      this.log.info({ ...line, outcome: failure.kind }, "write failed");
      throw failure;
    }
    for (const effect of done.value.effects) {
      this.overlay.put(effect.table, effect.key, effect.row, done.committedAt, effect.owners);
    }
    this.log.info({ ...line, outcome: "ok", rows: done.value.effects.length }, "write");
    await this.afterWrite(done.value.effects, done.committedAt);
    return done.value.row;
  }
}

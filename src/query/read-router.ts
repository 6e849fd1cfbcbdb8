import { AppError } from "../app-error.js";
import type { SnapshotInfo } from "../snapshot/snapshot.js";
import type { SnapshotReader } from "../snapshot/snapshot-reader.js";
import type { SnapshotStore } from "../snapshot/snapshot-store.js";
import { todayUtc } from "./dates.js";
import { overlayReader } from "./overlay-reader.js";
import type { PendingView, PendingWrites } from "./pending-writes.js";
import type { Reader } from "./reader.js";

/** How fresh a caller needs an answer to be (the proto's Freshness, in the query layer's words). */
export type Freshness = "cached_allowed" | "live_required" | "cache_only";

/** A caller's freshness budget; `maxStalenessMs` undefined means the server's default. */
export interface ReadPolicy {
  readonly freshness: Freshness;
  readonly maxStalenessMs: number | undefined;
}

/** Where an answer came from and how old its data is: what every response reports. */
export interface AnswerMeta {
  readonly source: "snapshot" | "live";
  /** Which source the data came from (see SnapshotInfo.sourceIdentity). */
  readonly sourceIdentity: string;
  readonly snapshotId: string;
  readonly dataAsOf: Date;
  readonly ageMs: number;
  readonly staleFallback: boolean;
  readonly fallbackReason: string;
  /** Confirmed writes the snapshot does not hold yet (0 for live answers, which have them). */
  readonly pendingWrites?: number;
  /** Whether the answer was computed with those writes laid over the snapshot. */
  readonly includesPendingWrites?: boolean;
}

/** The source system asked directly (Snowflake), through the same narrow interface. */
export type LiveRunner = Reader;

/**
 * One question the service can answer: on the snapshot and, where it can be asked live, of
 * the source. Most questions are one function written in the SQL DuckDB and Snowflake share,
 * given for both; both must give the same answer on the same data. A question without `live`
 * (the analytics, read from derived tables only the snapshot holds) is snapshot-only: a caller
 * requiring live data gets UNAVAILABLE. The snapshot side gets the snapshot's own reader, which
 * is what the store hands every read.
 *
 * A question with `remember` has its snapshot answers kept with the snapshot (see
 * SnapshotMemo), keyed by that name, the arguments and the UTC day: the same question of the
 * same snapshot on the same day has the same answer, so it is computed once. It suits
 * questions asked often with few distinct arguments (summaries, trends, profiles), not
 * per-customer lookups.
 */
export interface Question<A, R> {
  readonly snapshot: (db: SnapshotReader, args: A) => Promise<R>;
  readonly live?: (live: LiveRunner, args: A) => Promise<R>;
  readonly remember?: string;
  /**
   * For a remembered question: the arguments in a canonical form with the same answer (filter
   * lists sorted, de-duplicated, unknown values dropped), so equivalent requests share one
   * remembered answer; the snapshot side is then asked with these arguments.
   */
  readonly canonical?: (db: SnapshotReader, args: A) => Promise<A>;
  /**
   * For a question about the base tables whose `live` form is the shared SQL: while writes
   * are pending, the snapshot side runs that SQL over the snapshot with the writes laid over it
   * (see `overlayReader`), so a write shows at once on every path, the in-memory ones included.
   * `concerns` narrows that to the answers a pending write can change (by id); absent, any
   * pending write does. `ask` answers over the overlay instead of `live` when the live form
   * refuses something the snapshot has (ListCustomers' segment filter needs the RFM scores).
   */
  readonly overlay?: {
    readonly concerns?: (args: A, pending: PendingView) => boolean;
    readonly ask?: (db: Reader, args: A) => Promise<R>;
  };
}

/**
 * The {@link Question} answered by query function `F` (a reader and its arguments in, a promise
 * out): its arguments and answer read off the function, so a question cannot drift from it.
 */
export type QuestionOf<F extends (db: never, args: never) => Promise<unknown>> = Question<
  Parameters<F>[1],
  Awaited<ReturnType<F>>
>;

/**
 * Decides, per call, whether the snapshot or the live source answers, following docs/data_sources.md (freshness and the live fallback):
 * the snapshot unless the caller asked for live data, or the snapshot is older than the budget
 * or absent; then live, and if live fails (or the question has no live form), the snapshot
 * again when the caller allows cached data, saying so, otherwise UNAVAILABLE. Questions the
 * precomputed tables cannot serve (a support below the rules' floor) are computed from the
 * snapshot's base tables by the query itself. A live failure that is not an AppError (a fault
 * of ours) is handed to `onLiveFault` to be logged; the caller only hears that it happened.
 */
export class ReadRouter {
  constructor(
    private readonly store: Pick<SnapshotStore, "read" | "live">,
    private readonly live: LiveRunner | undefined,
    private readonly defaultMaxStalenessMs: number,
    private readonly now: () => number = Date.now,
    private readonly context: {
      /** Why no snapshot answers, for the UNAVAILABLE message (what failed, the next try). */
      readonly whyNoSnapshot?: () => string;
      /** Writes confirmed at the source that a snapshot may not hold yet. */
      readonly pending?: PendingWrites;
      /** The configured source's identity, named by live answers. */
      readonly liveIdentity?: string;
      /** Told of every live failure, with its full error, before callers get a fixed reason. */
      readonly onLiveFault?: (err: unknown) => void;
    } = {},
  ) {}

  /** Answers `question` for `args` within the caller's `policy`. */
  async ask<A, R>(
    question: Question<A, R>,
    args: A,
    policy: ReadPolicy,
  ): Promise<{ value: R; meta: AnswerMeta }> {
    const info = this.store.live;
    if (policy.freshness === "cache_only") {
      if (info === undefined) throw this.noSnapshot("freshness is CACHE_ONLY");
      return this.fromSnapshot(question, args, "");
    }
    const reason = this.liveReason(policy, info);
    if (reason === undefined) return this.fromSnapshot(question, args, "");
    let failure: string;
    if (this.live === undefined || question.live === undefined) {
      failure = "no live source is configured for this question";
    } else {
      try {
        const value = await question.live(this.live, args);
        const meta: AnswerMeta = {
          source: "live",
          sourceIdentity: this.context.liveIdentity ?? "",
          snapshotId: "",
          dataAsOf: new Date(this.now()),
          ageMs: 0,
          staleFallback: false,
          fallbackReason: "",
        };
        return { value, meta };
      } catch (err) {
        if (err instanceof AppError && err.kind !== "unavailable") throw err;
        if (!(err instanceof AppError)) this.context.onLiveFault?.(err);
        failure = `the live source failed (${liveFailureReason(err)})`;
      }
    }
    if (policy.freshness === "live_required") {
      throw new AppError("unavailable", `live data was required but ${failure}`);
    }
    if (info === undefined) throw this.noSnapshot(failure);
    return this.fromSnapshot(question, args, `${reason}, and ${failure}`);
  }

  private noSnapshot(why: string): AppError {
    const reason = this.context.whyNoSnapshot?.() ?? "no snapshot is loaded yet";
    return new AppError("unavailable", `${reason}; and ${why}`);
  }

  private liveReason(policy: ReadPolicy, info: SnapshotInfo | undefined): string | undefined {
    if (policy.freshness === "live_required") return "live data was required";
    if (info === undefined) return "no snapshot is loaded yet";
    const budget = policy.maxStalenessMs ?? this.defaultMaxStalenessMs;
    const age = this.now() - info.dataAsOf.getTime();
    if (age > budget) {
      return `the snapshot is ${Math.round(age / 1000)} s old, older than the ${Math.round(budget / 1000)} s allowed`;
    }
    return undefined;
  }

  private async fromSnapshot<A, R>(
    question: Question<A, R>,
    args: A,
    fallbackReason: string,
  ): Promise<{ value: R; meta: AnswerMeta }> {
    const { remember } = question;
    let pendingWrites = 0;
    let includesPendingWrites = false;
    const answer = await this.store.read(async (db, info) => {
      const pending = this.context.pending?.newerThan(info.dataAsOf);
      pendingWrites = pending?.size ?? 0;
      const { overlay } = question;
      const overWrites = overlay?.ask ?? question.live;
      if (pending !== undefined && pendingWrites > 0 && overlay !== undefined && overWrites) {
        if (overlay.concerns?.(args, pending) ?? true) {
          includesPendingWrites = true;
          return overWrites(overlayReader(db, pending), args);
        }
      }
      if (remember === undefined) return question.snapshot(db, args);
      const asked = question.canonical === undefined ? args : await question.canonical(db, args);
      return db.memo.answer(answerKey(remember, asked), () => question.snapshot(db, asked));
    });
    if (answer === undefined) throw this.noSnapshot("the snapshot was unloaded");
    const { id, dataAsOf, sourceIdentity } = answer.info;
    const meta: AnswerMeta = {
      source: "snapshot",
      sourceIdentity,
      snapshotId: id,
      dataAsOf,
      ageMs: Math.max(0, this.now() - dataAsOf.getTime()),
      staleFallback: fallbackReason !== "",
      fallbackReason,
      pendingWrites,
      includesPendingWrites,
    };
    return { value: answer.value, meta };
  }
}

/**
 * What a caller is told about a failed live query: a short fixed phrase from the error's kind
 * and reason ("snowflake unavailable: timeout"), never the error's own text, which may name a
 * user, an endpoint or, for a fault of ours, an internal detail.
 */
export function liveFailureReason(err: unknown): string {
  if (err instanceof AppError && err.kind === "unavailable") {
    return `snowflake unavailable: ${err.reason ?? "unreachable"}`;
  }
  return "internal error, logged";
}

/** The memo key of a remembered answer; bigints (int64 fields) are written as their digits. */
function answerKey(name: string, args: unknown): string {
  const text = JSON.stringify(args, (_, value: unknown) =>
    typeof value === "bigint" ? value.toString() : value,
  );
  return `${name} ${todayUtc()} ${text}`;
}

/** A question written once in the SQL both dialects share, asked of the snapshot or live. */
export function sharedQuestion<A, R>(ask: (db: Reader, args: A) => Promise<R>): Question<A, R> {
  return { snapshot: ask, live: ask };
}

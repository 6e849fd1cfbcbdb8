import { getHeapStatistics } from "node:v8";
import { estimateBytes } from "./estimate-bytes.js";
import type { SnapshotReader } from "./snapshot-reader.js";

/**
 * A structure built once from a snapshot and kept beside it: `build` reads what it needs
 * through the reader and should return early once `stopped()` is true (the snapshot is
 * closing). The key object is the identity, so two features cannot collide on a name.
 */
export interface MemoKey<T> {
  readonly name: string;
  readonly build: (db: SnapshotReader, stopped: () => boolean) => Promise<T>;
}

/** What the memo tells its owner about builds, for the log. */
export type MemoEvent =
  | { readonly kind: "built"; readonly name: string; readonly ms: number }
  | { readonly kind: "failed"; readonly name: string; readonly error: unknown };

interface Entry {
  value: unknown;
  state: "building" | "ready" | "failed";
  /** Settles when the build has ended, either way. */
  done: Promise<void>;
  ms: number;
}

/** One structure built in memory: how long it took and what it holds (for GetSyncStatus). */
export interface StructureStats {
  readonly name: string;
  readonly state: "building" | "ready" | "failed";
  readonly buildMs: number;
  /** What the structure reports holding (its `bytes` property), 0 when it says nothing. */
  readonly bytes: number;
}

/** A remembered answer and the bytes it was counted at (0 until it has arrived). */
interface Answer {
  readonly promise: Promise<unknown>;
  bytes: number;
}

/**
 * How much the remembered answers of one snapshot may hold: `maxBytes` in all (the least
 * recently asked go first), and no single answer above `maxAnswerBytes` is kept at all.
 */
export interface MemoLimits {
  readonly maxBytes: number;
  readonly maxAnswerBytes: number;
}

/** The share of V8's heap limit remembered answers may hold by default. */
const DEFAULT_HEAP_SHARE = 0.1;

/**
 * The default limits: a tenth of the heap limit in all, and at most a sixteenth of that for one
 * answer, so that a stream of distinct questions cannot grow the heap past what the process
 * was given (about 125 distinct trend answers used to crash a 1 GB heap).
 */
export function defaultMemoLimits(): MemoLimits {
  const maxBytes = Math.floor(getHeapStatistics().heap_size_limit * DEFAULT_HEAP_SHARE);
  return { maxBytes, maxAnswerBytes: Math.floor(maxBytes / 16) };
}

/** How many distinct answers one snapshot remembers, also bounding the ones still computing. */
const MAX_ANSWERS = 4096;

/**
 * What a snapshot keeps in memory for as long as it lives, and drops with it: structures built
 * from it once (in the background, while SQL keeps answering) and answers already given. A
 * snapshot never changes, so an answer to the same question of the same snapshot is the same
 * answer; keeping it here rather than in a cache beside the store means no answer can outlive
 * the data it came from, and a swap needs no invalidation.
 */
export class SnapshotMemo {
  readonly #entries = new Map<MemoKey<unknown>, Entry>();
  readonly #answers = new Map<string, Answer>();
  readonly #building = new Set<Promise<void>>();
  readonly #limits: MemoLimits;
  #bytes = 0;
  #stopped = false;

  constructor(
    private readonly hold: <T>(work: (db: SnapshotReader) => Promise<T>) => Promise<T>,
    private readonly report: (event: MemoEvent) => void = () => {},
    limits: MemoLimits = defaultMemoLimits(),
  ) {
    this.#limits = limits;
  }

  /** The estimated bytes and the number of the answers remembered now (for the metric). */
  get usage(): { bytes: number; entries: number } {
    return { bytes: this.#bytes, entries: this.#answers.size };
  }

  /**
   * The structure `key` names once it is built, else undefined. The first ask starts the build
   * in the background, holding the snapshot open; until it is done (and for good if it fails,
   * which is reported) the caller answers another way.
   */
  built<T>(key: MemoKey<T>): T | undefined {
    const entry = this.#entries.get(key as MemoKey<unknown>);
    if (entry !== undefined) return entry.state === "ready" ? (entry.value as T) : undefined;
    if (this.#stopped) return undefined;
    const started: Entry = {
      value: undefined,
      state: "building",
      done: Promise.resolve(),
      ms: 0,
    };
    this.#entries.set(key as MemoKey<unknown>, started);
    const begun = performance.now();
    const building = this.hold((db) => key.build(db, () => this.#stopped)).then(
      (value) => {
        if (this.#stopped) return;
        started.value = value;
        started.state = "ready";
        started.ms = performance.now() - begun;
        this.report({ kind: "built", name: key.name, ms: started.ms });
      },
      (error: unknown) => {
        started.state = "failed";
        if (!this.#stopped) this.report({ kind: "failed", name: key.name, error });
      },
    );
    started.done = building;
    this.#building.add(building);
    void building.finally(() => this.#building.delete(building));
    return undefined;
  }

  /**
   * Starts the build of `key` if it has not begun and resolves once it has ended: with the
   * structure, or undefined if it failed or the snapshot closed. For starting builds one after
   * another, so they do not hold every connection of the pool at once.
   */
  async settled<T>(key: MemoKey<T>): Promise<T | undefined> {
    this.built(key);
    await this.#entries.get(key as MemoKey<unknown>)?.done;
    return this.built(key);
  }

  /** The structures started so far, in start order, with their build time and size. */
  structures(): StructureStats[] {
    return [...this.#entries].map(([key, entry]) => {
      const bytes = (entry.value as { bytes?: unknown } | undefined)?.bytes;
      return {
        name: key.name,
        state: entry.state,
        buildMs: entry.ms,
        bytes: typeof bytes === "number" ? bytes : 0,
      };
    });
  }

  /**
   * The answer remembered under `key`, or `compute`'s, remembered. Callers asking the same
   * question at once share one computation; a failure is not remembered, so the next caller
   * tries again.
   */
  answer<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const known = this.#answers.get(key);
    if (known !== undefined) {
      this.#answers.delete(key);
      this.#answers.set(key, known);
      return known.promise as Promise<T>;
    }
    const computed = compute();
    if (this.#stopped) return computed;
    const entry: Answer = { promise: computed, bytes: 0 };
    this.#answers.set(key, entry);
    computed.then(
      (value) => {
        if (this.#answers.get(key) !== entry) return;
        const bytes = estimateBytes(value) + 16 + key.length * 2;
        if (bytes > this.#limits.maxAnswerBytes) {
          this.#answers.delete(key);
          return;
        }
        entry.bytes = bytes;
        this.#bytes += bytes;
        this.#evict();
      },
      () => {
        if (this.#answers.get(key) === entry) this.#answers.delete(key);
      },
    );
    this.#evict();
    return computed;
  }

  /** Drops the least recently asked answers until both the count and the bytes fit. */
  #evict(): void {
    for (const [key, entry] of this.#answers) {
      if (this.#answers.size <= MAX_ANSWERS && this.#bytes <= this.#limits.maxBytes) return;
      this.#answers.delete(key);
      this.#bytes -= entry.bytes;
    }
  }

  /** Tells builds to stop and drops everything; resolves when no build holds the snapshot. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#answers.clear();
    this.#bytes = 0;
    await Promise.all(this.#building);
    this.#entries.clear();
  }
}

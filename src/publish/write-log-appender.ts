import { type FileHandle, open, rm } from "node:fs/promises";
import { join } from "node:path";
import { encodeEntry, segmentName, type WriteLogEntry } from "./write-log-entry.js";

/** A segment this process wrote and no longer appends to, waiting to be removed. */
interface Sealed {
  readonly name: string;
  readonly lastCommittedMs: number;
  /** When a publication was first seen to hold all of it; undefined until then. */
  coveredAt: number | undefined;
}

/**
 * This process's own segments in `PUBLISH_DIR/writes/`: one writer per file, because appends
 * from several hosts to one file are not safe on a network filesystem. Each write is one line
 * written by one `write` call and fsynced before {@link append} resolves, so a reader sees a
 * write whole once its line is complete, and the write RPC answers only after the line is on
 * the shared volume. A segment is opened at the first write after the previous one was sealed,
 * sealed once a publication holds all it records, and removed a grace period later, so that a
 * replica still copying that publication keeps reading it meanwhile.
 */
export class WriteLogAppender {
  #sequence = 0;
  #current: { name: string; handle: FileHandle; lastCommittedMs: number } | undefined;
  readonly #sealed: Sealed[] = [];
  #chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dir: string,
    /** This process's writer id: the first part of every segment name it writes. */
    readonly writerId: string,
  ) {}

  /** Names of the segments this process still keeps (the open one last). */
  get segments(): readonly string[] {
    const names = this.#sealed.map((s) => s.name);
    return this.#current === undefined ? names : [...names, this.#current.name];
  }

  /**
   * Appends `entry` durably. On a failure the segment is sealed (its tail may hold part of the
   * line) and the next write starts a new one; the caller decides what a failure means.
   */
  append(entry: WriteLogEntry): Promise<void> {
    return this.#queue(() => this.#append(entry));
  }

  /**
   * Seals the open segment once `coveredThrough` (the newest publication's data time) holds
   * all of it, and removes sealed segments covered for `graceMs`; resolves with their names.
   */
  cleanUp(coveredThrough: Date | undefined, graceMs: number): Promise<string[]> {
    return this.#queue(() => this.#cleanUp(coveredThrough?.getTime(), graceMs));
  }

  /** Closes the open segment (at shutdown); the files stay for the others to read. */
  close(): Promise<void> {
    return this.#queue(() => this.#seal());
  }

  #queue<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(task);
    this.#chain = next.catch(() => undefined);
    return next;
  }

  async #append(entry: WriteLogEntry): Promise<void> {
    if (this.#current === undefined) {
      this.#sequence += 1;
      const name = segmentName(this.writerId, this.#sequence);
      const handle = await open(join(this.dir, name), "a");
      this.#current = { name, handle, lastCommittedMs: 0 };
    }
    const current = this.#current;
    try {
      await current.handle.write(encodeEntry(entry));
      await current.handle.sync();
    } catch (err) {
      await this.#seal();
      throw err;
    }
    current.lastCommittedMs = Math.max(current.lastCommittedMs, entry.committedAt.getTime());
  }

  async #cleanUp(covered: number | undefined, graceMs: number): Promise<string[]> {
    if (covered === undefined) return [];
    const current = this.#current;
    if (current !== undefined && current.lastCommittedMs <= covered) await this.#seal();
    const now = Date.now();
    const removed: string[] = [];
    for (const segment of [...this.#sealed]) {
      if (segment.lastCommittedMs > covered) continue;
      segment.coveredAt ??= now;
      if (now - segment.coveredAt < graceMs) continue;
      await rm(join(this.dir, segment.name), { force: true });
      this.#sealed.splice(this.#sealed.indexOf(segment), 1);
      removed.push(segment.name);
    }
    return removed;
  }

  async #seal(): Promise<void> {
    const current = this.#current;
    if (current === undefined) return;
    this.#current = undefined;
    this.#sealed.push({
      name: current.name,
      lastCommittedMs: current.lastCommittedMs,
      coveredAt: undefined,
    });
    await current.handle.close().catch(() => undefined);
  }
}

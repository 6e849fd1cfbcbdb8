import { open, readdir } from "node:fs/promises";
import { join } from "node:path";
import { parseEntry, SEGMENT_PATTERN, type WriteLogEntry } from "./write-log-entry.js";

/** What one look at the log found in the other writers' segments. */
export interface TailRead {
  /** The entries of lines completed since the last look, oldest first within each segment. */
  readonly entries: readonly WriteLogEntry[];
  /** Lines that were complete but not an entry, with the segment and the reason. */
  readonly skipped: readonly string[];
}

/** How far a segment has been read, and what it held. */
export interface SegmentSeen {
  /** Bytes read through the last complete line. */
  readonly offset: number;
  /** The newest `committedAt` among its lines (0 while it has none). */
  readonly lastCommittedMs: number;
  /** Whether bytes after the last newline wait for the rest of their line. */
  readonly partial: boolean;
}

/**
 * Reads the segments other writers append to in `PUBLISH_DIR/writes/`, from where it stopped,
 * and returns only complete lines: a last line without its newline is a write still being
 * appended (or cut by a crash) and is left for the next look. A segment that vanished (its
 * writer removed it once a publication held it) is forgotten, also when it goes in the middle
 * of a read; a segment found shorter than what was read was replaced and is read again from
 * its start. One tailer per process; it never writes.
 */
export class WriteLogTailer {
  readonly #seen = new Map<string, SegmentSeen>();

  constructor(
    private readonly dir: string,
    /** The segments this process writes itself (their names' writer id), never read back. */
    private readonly ownWriter: string,
  ) {}

  /** Every foreign segment read so far, by file name. */
  get seen(): ReadonlyMap<string, SegmentSeen> {
    return this.#seen;
  }

  /** Reads what the other writers appended since the last call. */
  async read(): Promise<TailRead> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const present = new Set(names);
    for (const name of this.#seen.keys()) if (!present.has(name)) this.#seen.delete(name);
    const entries: WriteLogEntry[] = [];
    const skipped: string[] = [];
    for (const name of names.sort()) {
      const match = SEGMENT_PATTERN.exec(name);
      if (match === null || match[1] === this.ownWriter) continue;
      await this.#readSegment(name, entries, skipped);
    }
    return { entries, skipped };
  }

  /** Forgets a segment removed on purpose (by this process's cleanup). */
  forget(name: string): void {
    this.#seen.delete(name);
  }

  async #readSegment(name: string, entries: WriteLogEntry[], skipped: string[]): Promise<void> {
    const known = this.#seen.get(name);
    let from = known?.offset ?? 0;
    let last = known?.lastCommittedMs ?? 0;
    let bytes: Buffer;
    try {
      const handle = await open(join(this.dir, name), "r");
      try {
        const { size } = await handle.stat();
        if (size < from) {
          from = 0;
          last = 0;
        }
        bytes = Buffer.alloc(size - from);
        if (bytes.length > 0) await handle.read(bytes, 0, bytes.length, from);
      } finally {
        await handle.close();
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      this.#seen.delete(name);
      return;
    }
    const end = bytes.lastIndexOf(0x0a) + 1;
    for (const line of bytes.subarray(0, end).toString("utf8").split("\n")) {
      if (line === "") continue;
      const entry = parseEntry(line);
      if (typeof entry === "string") {
        skipped.push(`${name}: ${entry}`);
        continue;
      }
      entries.push(entry);
      last = Math.max(last, entry.committedAt.getTime());
    }
    this.#seen.set(name, {
      offset: from + end,
      lastCommittedMs: last,
      partial: end < bytes.length,
    });
  }
}

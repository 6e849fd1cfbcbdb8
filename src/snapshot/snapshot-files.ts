import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeFileDurably } from "./durable-write.js";
import { fileDigest, readDigest, writeDigest } from "./snapshot-checksum.js";

/** How many quarantined snapshots are kept for an operator to inspect; older ones are deleted. */
const QUARANTINE_KEPT = 2;

/** What the `CURRENT` pointer says: a snapshot id, or why it names none. */
export type Pointer =
  | { readonly id: string; readonly problem?: undefined }
  | { readonly id?: undefined; readonly problem: string };

/** How a snapshot file compares with the digest written beside it when it was built. */
export type Seal = "intact" | "unsealed" | "altered";

/**
 * Where snapshots live on disk: `DATA_DIR/snapshots/<id>.duckdb`, and a `CURRENT` file naming the
 * live one. The pointer is replaced by rename, which is atomic, so a crash at any moment leaves
 * either the old or the new snapshot live and never half of one. Beside each finished snapshot
 * lies `<id>.duckdb.sha256`, its digest at build time; a snapshot that no longer matches it is
 * moved to `snapshots/quarantine/` (kept for inspection, never served).
 */
export class SnapshotFiles {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, "snapshots");
  }

  /** Makes the folder if it is missing. */
  async ensure(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /** The database file of a snapshot. */
  pathOf(id: string): string {
    return join(this.dir, `${id}.duckdb`);
  }

  /** The live snapshot's id, or undefined when none was ever made live. */
  async current(): Promise<string | undefined> {
    return (await this.pointer()).id;
  }

  /**
   * What `CURRENT` says, and when it names no usable snapshot, why (missing, empty, garbled,
   * or naming a file that is gone), so start-up can say what it recovered from.
   */
  async pointer(): Promise<Pointer> {
    let text: string;
    try {
      text = await readFile(join(this.dir, "CURRENT"), "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return { problem: "CURRENT is missing" };
      return { problem: `CURRENT cannot be read (${code ?? String(err)})` };
    }
    const id = text.trim();
    if (id === "") return { problem: "CURRENT is empty" };
    if (!isSnapshotId(id)) {
      return { problem: `CURRENT is garbled (${JSON.stringify(id.slice(0, 80))})` };
    }
    if (!(await this.list()).includes(id)) {
      return { problem: `CURRENT names ${id}, which has no file` };
    }
    return { id };
  }

  /** Where a snapshot's build-time digest is kept. */
  digestPathOf(id: string): string {
    return `${this.pathOf(id)}.sha256`;
  }

  /** Records the finished file's digest; called once, after the build has closed the file. */
  async seal(id: string): Promise<void> {
    await writeDigest(this.digestPathOf(id), await fileDigest(this.pathOf(id)));
  }

  /** Whether the file still matches its build-time digest ("unsealed": no digest was written). */
  async verify(id: string): Promise<Seal> {
    const expected = await readDigest(this.digestPathOf(id));
    if (expected === undefined) return "unsealed";
    return (await fileDigest(this.pathOf(id))) === expected ? "intact" : "altered";
  }

  /**
   * Moves a snapshot that failed its checks out of the way (`snapshots/quarantine/<id>.duckdb`)
   * so that it is never opened again but stays for inspection; only the newest
   * {@link QUARANTINE_KEPT} are kept, as each can be as large as a snapshot.
   */
  async quarantine(id: string): Promise<string> {
    const dir = join(this.dir, "quarantine");
    await mkdir(dir, { recursive: true });
    const target = join(dir, `${id}.duckdb`);
    await rename(this.pathOf(id), target).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    });
    await rm(this.digestPathOf(id), { force: true });
    await this.remove(id);
    const kept = (await readdir(dir)).filter((name) => name.endsWith(".duckdb")).sort();
    for (const old of kept.slice(0, Math.max(0, kept.length - QUARANTINE_KEPT))) {
      await rm(join(dir, old), { force: true });
    }
    return target;
  }

  /** Makes `id` the live snapshot, durably: written to a temporary file, synced, renamed. */
  async setCurrent(id: string): Promise<void> {
    await writeFileDurably(join(this.dir, "CURRENT"), `${id}\n`);
  }

  /** Every snapshot id with a file in the folder, oldest first. */
  async list(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => []);
    return names
      .filter((name) => name.endsWith(".duckdb"))
      .map((name) => name.slice(0, -".duckdb".length))
      .filter(isSnapshotId)
      .sort();
  }

  /**
   * Deletes a snapshot's database, its write-ahead log and the directory a build spills to
   * (left behind when a build is killed mid-way).
   */
  async remove(id: string): Promise<void> {
    await rm(this.pathOf(id), { force: true });
    await rm(`${this.pathOf(id)}.wal`, { force: true });
    await rm(`${this.pathOf(id)}.tmp`, { recursive: true, force: true });
    await rm(this.digestPathOf(id), { force: true });
  }
}

/** A new snapshot id: sortable by creation time, unique across processes. */
export function newSnapshotId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.]/g, "");
  return `s${stamp}-${randomBytes(3).toString("hex")}`;
}

function isSnapshotId(id: string): boolean {
  return /^s\d{8}T\d{9}Z-[0-9a-f]{6}$/.test(id);
}

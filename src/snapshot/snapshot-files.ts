import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";

/**
 * Where snapshots live on disk: `DATA_DIR/snapshots/<id>.duckdb`, and a `CURRENT` file naming the
 * live one. The pointer is replaced by rename, which is atomic, so a crash at any moment leaves
 * either the old or the new snapshot live and never half of one.
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
    try {
      const id = (await readFile(join(this.dir, "CURRENT"), "utf8")).trim();
      return isSnapshotId(id) ? id : undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  /** Makes `id` the live snapshot, durably: written to a temporary file, synced, renamed. */
  async setCurrent(id: string): Promise<void> {
    const tmp = join(this.dir, `CURRENT.${process.pid}.tmp`);
    const handle = await open(tmp, "w");
    try {
      await handle.writeFile(`${id}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(this.dir, "CURRENT"));
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

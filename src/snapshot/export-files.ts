import { randomUUID } from "node:crypto";
import { type FileHandle, mkdir, open, readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";

/**
 * The temporary files of exports: `DATA_DIR/exports/<uuid>.<ext>`, one per export. A file is
 * owned from {@link newPath} until {@link remove}; removing also closes the file if it is
 * being read, so a call that is abandoned mid-stream (its reader suspended for good) leaves
 * neither a file nor a descriptor. {@link sweep} removes every file no running export owns:
 * at start-up (what a process that died mid-export left) and periodically after.
 */
export class ExportFiles {
  readonly dir: string;
  readonly #owned = new Set<string>();
  readonly #handles = new Map<string, FileHandle>();

  constructor(dataDir: string) {
    this.dir = join(dataDir, "exports");
  }

  /** Makes the folder if it is missing. */
  async ensure(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /** A fresh file path that no other export uses, owned until {@link remove}. */
  newPath(extension: string): string {
    const path = join(this.dir, `${randomUUID()}.${extension}`);
    this.#owned.add(path);
    return path;
  }

  /** The size of a written file, in bytes. */
  async size(path: string): Promise<number> {
    return (await stat(path)).size;
  }

  /** Closes one export's file if it is open and removes it; a missing file is not an error. */
  async remove(path: string): Promise<void> {
    const handle = this.#handles.get(path);
    this.#handles.delete(path);
    await handle?.close().catch(() => {});
    await rm(path, { force: true });
    this.#owned.delete(path);
  }

  /** Removes every leftover file (exports a previous process did not finish). */
  async clear(): Promise<void> {
    await this.sweep();
  }

  /** Removes every file in the folder that no running export owns; resolves with how many. */
  async sweep(): Promise<number> {
    await this.ensure();
    let removed = 0;
    for (const name of await readdir(this.dir)) {
      const path = join(this.dir, name);
      if (this.#owned.has(path)) continue;
      await rm(path, { force: true, recursive: true });
      removed++;
    }
    return removed;
  }

  /** Files owned by running exports now. */
  get owned(): number {
    return this.#owned.size;
  }

  /**
   * Reads a file in chunks of at most `size` bytes, one read per chunk, so memory holds one
   * chunk whatever the file's size. Stops with the signal's reason when it aborts, and ends
   * when {@link remove} closed the file underneath it.
   */
  async *chunks(path: string, size: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    const handle = await open(path, "r");
    this.#handles.set(path, handle);
    try {
      for (;;) {
        signal?.throwIfAborted();
        if (this.#handles.get(path) !== handle) return;
        const buffer = new Uint8Array(size);
        const { bytesRead } = await handle.read(buffer, 0, size, null);
        if (bytesRead === 0) return;
        yield bytesRead === size ? buffer : buffer.subarray(0, bytesRead);
      }
    } finally {
      if (this.#handles.get(path) === handle) this.#handles.delete(path);
      await handle.close().catch(() => {});
    }
  }
}

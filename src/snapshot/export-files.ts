import { randomUUID } from "node:crypto";
import { mkdir, open, readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";

/**
 * The temporary files of exports: `DATA_DIR/exports/<uuid>.<ext>`, one per export, removed when
 * its stream ends however it ends. Files left by a process that died mid-export are removed at
 * the next start.
 */
export class ExportFiles {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, "exports");
  }

  /** Makes the folder if it is missing. */
  async ensure(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /** A fresh file path that no other export uses. */
  newPath(extension: string): string {
    return join(this.dir, `${randomUUID()}.${extension}`);
  }

  /** The size of a written file, in bytes. */
  async size(path: string): Promise<number> {
    return (await stat(path)).size;
  }

  /** Removes one export's file; a file that is already gone is not an error. */
  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
  }

  /** Removes every leftover file (exports a previous process did not finish). */
  async clear(): Promise<void> {
    await this.ensure();
    for (const name of await readdir(this.dir)) await rm(join(this.dir, name), { force: true });
  }

  /**
   * Reads a file in chunks of at most `size` bytes, one read per chunk, so memory holds one
   * chunk whatever the file's size. Stops with the signal's reason when it aborts.
   */
  async *chunks(path: string, size: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    const handle = await open(path, "r");
    try {
      for (;;) {
        signal?.throwIfAborted();
        const buffer = new Uint8Array(size);
        const { bytesRead } = await handle.read(buffer, 0, size, null);
        if (bytesRead === 0) return;
        yield bytesRead === size ? buffer : buffer.subarray(0, bytesRead);
      }
    } finally {
      await handle.close();
    }
  }
}

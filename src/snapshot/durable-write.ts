import { open, rename } from "node:fs/promises";

/**
 * Writes `content` to `path` so that a crash leaves either the old file or the new one, never
 * a torn one: a temporary file beside it (`<path>.<pid>.tmp`), synced, then renamed over it.
 * The CURRENT pointer and each snapshot's checksum are written this way.
 */
export async function writeFileDurably(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const handle = await open(tmp, "w");
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
}

import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { writeFileDurably } from "./durable-write.js";

/**
 * The SHA-256 of a file, read as a stream. A snapshot is never written after it is built, so
 * the digest taken at build time must still match whenever the file is opened again: a
 * mismatch means the disk (or someone) changed the bytes, which DuckDB would otherwise only
 * notice block by block, at query time.
 */
export async function fileDigest(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest("hex");
}

/** Writes `digest` to `path` durably (temporary file, fsync, rename), as the pointer is written. */
export async function writeDigest(path: string, digest: string): Promise<void> {
  await writeFileDurably(path, `${digest}\n`);
}

/** The digest recorded in `path`, or undefined when the file is missing or not a digest. */
export async function readDigest(path: string): Promise<string | undefined> {
  try {
    const text = (await readFile(path, "utf8")).trim();
    return /^[0-9a-f]{64}$/.test(text) ? text : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

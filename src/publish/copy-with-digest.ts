import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

/**
 * Copies `from` to `to` in one pass, hashing the bytes as they go, and returns their SHA-256
 * and count. The copy is fsynced before it resolves; a copy that fails for any reason (the
 * source removed or truncated under it, a full disk) leaves no file at `to`.
 */
export async function copyWithDigest(
  from: string,
  to: string,
): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  try {
    await pipeline(
      createReadStream(from, { highWaterMark: 1 << 20 }),
      tap,
      createWriteStream(to, { flush: true }),
    );
  } catch (err) {
    await rm(to, { force: true });
    throw err;
  }
  return { sha256: hash.digest("hex"), bytes };
}

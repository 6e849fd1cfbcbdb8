import { createHash } from "node:crypto";
import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

/**
 * Copies `from` to `to` in one pass, hashing the bytes as they go, and returns their SHA-256
 * and count. The copy is flushed to disk before it resolves. A copy that fails for any reason
 * (the source removed or truncated under it, a full disk) leaves no file at `to`: the target
 * is removed only once its stream has closed, so a file opened late cannot outlive the removal.
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
  const target = createWriteStream(to, { flush: true });
  try {
    await pipeline(createReadStream(from, { highWaterMark: 1 << 20 }), tap, target);
  } catch (err) {
    if (!target.closed) await once(target, "close").catch(() => undefined);
    await rm(to, { force: true });
    throw err;
  }
  return { sha256: hash.digest("hex"), bytes };
}

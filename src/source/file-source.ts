import { createHash } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { localFilesLoad } from "./local-files.js";
import { BUNDLED_ONLINE_RETAIL_PATH, onlineRetailLoad } from "./online-retail.js";
import type { Source } from "./source.js";

/**
 * A source backed by files on this machine: a `LOCAL_SOURCE_DIR`, or the bundled Online Retail
 * data when nothing is configured. Its fingerprint is the files' names, sizes and modification
 * times, so an unchanged directory is not reloaded. Data read from a file is true at the moment
 * it is read, so a load's `dataAsOf` is the time of the read, not the file's age.
 */
export function fileSource(kind: "local" | "online-retail", path?: string): Source {
  const target = kind === "local" ? path : (path ?? BUNDLED_ONLINE_RETAIL_PATH);
  if (target === undefined) throw new Error("a local source needs a directory");
  return {
    kind,
    async fingerprint() {
      const hash = createHash("sha256");
      const info = await stat(target);
      const paths = info.isDirectory()
        ? (await readdir(target)).sort().map((name) => join(target, name))
        : [target];
      for (const file of paths) {
        const s = await stat(file);
        hash.update(`${file}\0${s.size}\0${s.mtimeMs}\n`);
      }
      return hash.digest("hex");
    },
    async load() {
      const readAt = new Date();
      const load = kind === "local" ? await localFilesLoad(target) : await onlineRetailLoad(target);
      return { ...load, dataAsOf: readAt };
    },
    async close() {},
  };
}

import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "./config.js";

/** The folders below DATA_DIR the service writes into (snapshots, export temporaries). */
const WRITTEN_SUBDIRS = ["snapshots", "exports"] as const;

/** errno codes that mean "this process may not write here", as opposed to a broken disk. */
const NOT_WRITABLE = new Set(["EACCES", "EPERM", "EROFS"]);

/**
 * Makes sure the process can write DATA_DIR (and the folders it writes below it) before
 * anything else opens files there, and says so as a configuration error naming the variable
 * and the fix. Without it, a root-owned bind mount or an arbitrary container UID surfaced as a
 * raw `EACCES ... mkdir` stack trace from deep in the snapshot store.
 */
export async function checkDataDirWritable(dataDir: string): Promise<void> {
  const dirs = [dataDir];
  for (const sub of WRITTEN_SUBDIRS) {
    const path = join(dataDir, sub);
    if ((await stat(path).catch(() => undefined))?.isDirectory() === true) dirs.push(path);
  }
  for (const dir of dirs) {
    const probe = join(dir, `.write-check-${process.pid}`);
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(probe, "");
      await rm(probe, { force: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "";
      if (!NOT_WRITABLE.has(code)) throw err;
      throw new ConfigError(
        `DATA_DIR ${dataDir} is not writable by this process (${code} on ${dir}, ${whoAmI()}). ` +
          "Make it writable by this user or its group (for a container volume: owned by the " +
          "container's user, or group 0 with g+rwX), or set DATA_DIR to a writable directory.",
      );
    }
  }
}

/** The process's user and group ids, which is what a permission fix has to match. */
function whoAmI(): string {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  return uid === undefined ? "this user" : `uid ${uid}, gid ${gid ?? "?"}`;
}

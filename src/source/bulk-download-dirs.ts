import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The name every bulk download directory starts with, followed by its process id. */
const PREFIX = "customer-analytics-bulk-";

/** Whether a process with this id is running on this machine (EPERM: running, not ours). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Creates the directory one sync downloads its bulk files into, under the system's temporary
 * directory (`root`), named with this process's id. A sync's directory is removed when the sync
 * ends; a process killed mid-sync cannot, so first this removes every such directory whose
 * process is gone: the next sync on the machine cleans what a crashed one left, without touching
 * the directories of other processes syncing beside it.
 */
export async function bulkDownloadDir(root: string = tmpdir()): Promise<string> {
  const names = await readdir(root).catch(() => []);
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number.parseInt(name.slice(PREFIX.length), 10);
    if (!Number.isSafeInteger(pid) || pid <= 0 || running(pid)) continue;
    await rm(join(root, name), { recursive: true, force: true });
  }
  return mkdtemp(join(root, `${PREFIX}${process.pid}-`));
}

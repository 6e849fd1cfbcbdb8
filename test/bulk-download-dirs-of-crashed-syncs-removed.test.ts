import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bulkDownloadDir } from "../src/source/bulk-download-dirs.js";

// A bulk sync downloads its Parquet files into a directory of its own and removes it when it
// ends; a process killed mid-sync leaves it behind. The next bulk sync on the machine removes
// the directories of processes that are gone, and only those.

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "ca-bulk-dirs-"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The id of a process that has exited (a child run to completion). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(child.stdout.toString());
}

describe("bulk download directories", () => {
  it("removes a crashed process's directory, keeps a running one's and unrelated files", async () => {
    const crashed = join(root, `customer-analytics-bulk-${deadPid()}-abc123`);
    await mkdir(join(crashed, "customer_products"), { recursive: true });
    await writeFile(join(crashed, "customer_products", "data_0.parquet"), "partial");
    const alive = join(root, `customer-analytics-bulk-${process.ppid}-def456`);
    await mkdir(alive);
    await writeFile(join(root, "customer-analytics-bulk-notes.txt"), "not a sync's");
    await mkdir(join(root, "something-else"));

    const made = await bulkDownloadDir(root);

    const left = await readdir(root);
    expect(left).not.toContain(crashed.slice(root.length + 1));
    expect(left).toContain(alive.slice(root.length + 1));
    expect(left).toContain("customer-analytics-bulk-notes.txt");
    expect(left).toContain("something-else");
    expect(made.startsWith(join(root, `customer-analytics-bulk-${process.pid}-`))).toBe(true);
    expect(left).toContain(made.slice(root.length + 1));
  });
});

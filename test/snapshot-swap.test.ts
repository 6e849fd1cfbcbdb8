import { cp, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { SnapshotStore } from "../src/snapshot/snapshot-store.js";
import { fileSource } from "../src/source/file-source.js";
import { Syncer } from "../src/sync/syncer.js";
import { BASIC_FIXTURE } from "./support/test-service.js";

const log = pino({ level: "silent" });
const cleanup: string[] = [];

afterEach(async () => {
  for (const dir of cleanup.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanup.push(dir);
  return dir;
}

/** A copy of the basic fixture with `extra` relationships appended for C001. */
async function fixtureCopy(extra: number): Promise<string> {
  const dir = await tempDir("ca-src-");
  await cp(BASIC_FIXTURE, dir, { recursive: true });
  const lines = Array.from({ length: extra }, (_, i) => `X${i},C001,P01,holder,2020-01-01,,1.00`);
  if (lines.length > 0) {
    const path = join(dir, "customer_products.csv");
    const { readFile } = await import("node:fs/promises");
    await writeFile(path, `${(await readFile(path, "utf8")).trimEnd()}\n${lines.join("\n")}\n`);
  }
  return dir;
}

/** Count and sum of relationships, read in one lease with two separate statements. */
const COUNT = "SELECT count(*)::INTEGER AS n FROM customer_products";
const SUM = `SELECT sum("value")::VARCHAR AS s FROM customer_products`;

describe("snapshot store", () => {
  it("never shows a reader a mix of two snapshots while swapping many times", async () => {
    const dataDir = await tempDir("ca-data-");
    const sources = [await fixtureCopy(0), await fixtureCopy(10)];
    const store = new SnapshotStore(dataDir, log);
    await store.openLast();
    // The two snapshots' (count, sum) pairs, worked out from the fixture: 9 rows summing to
    // 253574.90, and the same plus ten rows of 1.00.
    const consistent = new Set(["9/253574.90", "19/253584.90"]);
    const firstRun = await new Syncer(fileSource("local", sources[1]), store, log).sync("startup");
    expect(firstRun.state).toBe("succeeded");
    let swaps = 0;
    let reads = 0;
    const seen: string[] = [];
    let done = false;
    const reader = (async () => {
      while (!done && reads < 20_000) {
        const answer = await store.read(async (db) => {
          const [count] = await db.all(COUNT);
          const [sum] = await db.all(SUM);
          return `${count?.n}/${sum?.s}`;
        });
        if (answer === undefined) throw new Error("a reader found no live snapshot during a swap");
        seen.push(answer.value);
        reads++;
      }
    })();
    for (let i = 0; i < 8; i++) {
      const syncer = new Syncer(fileSource("local", sources[i % 2]), store, log);
      const run = await syncer.sync("request");
      expect(run.state).toBe("succeeded");
      swaps++;
    }
    done = true;
    await reader;
    await store.close();
    expect(swaps).toBe(8);
    expect(reads).toBeGreaterThan(0);
    expect(new Set(seen).size).toBe(2);
    for (const answer of seen) expect(consistent.has(answer)).toBe(true);
    const files = (await readdir(join(dataDir, "snapshots"))).filter((f) => f.endsWith(".duckdb"));
    expect(files).toHaveLength(1);
  });

  it("keeps the live snapshot serving when a build fails, and records why", async () => {
    const dataDir = await tempDir("ca-data-");
    const store = new SnapshotStore(dataDir, log);
    await store.openLast();
    const good = new Syncer(fileSource("local", BASIC_FIXTURE), store, log);
    expect((await good.sync("startup")).state).toBe("succeeded");
    const liveId = store.live?.id;

    const broken = await fixtureCopy(0);
    const path = join(broken, "customers.csv");
    const { readFile } = await import("node:fs/promises");
    await writeFile(
      path,
      `${(await readFile(path, "utf8")).trimEnd()}\nC001,Dup,retail,X,2020-01-01,active,x\n`,
    );
    const bad = new Syncer(fileSource("local", broken), store, log);
    const run = await bad.sync("request");
    expect(run.state).toBe("failed");
    expect(run.message).toContain("customers.customer_id is not unique");
    expect(bad.status.lastFailedRun).toBe(run);
    expect(store.live?.id).toBe(liveId);
    const answer = await store.read((db) => db.all(COUNT));
    expect(answer?.value[0]?.n).toBe(9);
    const files = (await readdir(join(dataDir, "snapshots"))).filter((f) => f.endsWith(".duckdb"));
    expect(files).toEqual([`${liveId}.duckdb`]);
    await store.close();
  });

  it("skips a sync when the source is unchanged and moves data_as_of forward", async () => {
    const dataDir = await tempDir("ca-data-");
    const store = new SnapshotStore(dataDir, log);
    await store.openLast();
    const syncer = new Syncer(fileSource("local", BASIC_FIXTURE), store, log);
    await syncer.sync("startup");
    const first = store.live;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const run = await syncer.sync("schedule");
    expect(run.state).toBe("skipped");
    expect(run.message).toContain(first?.id);
    expect(store.live?.id).toBe(first?.id);
    expect(store.live?.dataAsOf.getTime()).toBeGreaterThan(first?.dataAsOf.getTime() ?? Infinity);
    await store.close();
  });

  it("reopens the last snapshot after a restart and removes unfinished builds", async () => {
    const dataDir = await tempDir("ca-data-");
    const first = new SnapshotStore(dataDir, log);
    await first.openLast();
    await new Syncer(fileSource("local", BASIC_FIXTURE), first, log).sync("startup");
    const id = first.live?.id;
    await first.close();
    const leftover = join(dataDir, "snapshots", "s20200101T000000000Z-abcdef.duckdb");
    await writeFile(leftover, "not a database: a build that a crash interrupted");

    const second = new SnapshotStore(dataDir, log);
    expect(await second.openLast()).toBe(true);
    expect(second.live?.id).toBe(id);
    const files = await readdir(join(dataDir, "snapshots"));
    expect(files.filter((f) => f.endsWith(".duckdb"))).toEqual([`${id}.duckdb`]);
    await second.close();
  });

  it("starts empty when CURRENT names a file that cannot be opened", async () => {
    const dataDir = await tempDir("ca-data-");
    const store = new SnapshotStore(dataDir, log);
    await store.files.ensure();
    const id = "s20200101T000000000Z-abcdef";
    await writeFile(store.files.pathOf(id), "garbage");
    await store.files.setCurrent(id);
    expect(await store.openLast()).toBe(false);
    expect(store.live).toBeUndefined();
    expect(await store.read(async () => 1)).toBeUndefined();
  });
});

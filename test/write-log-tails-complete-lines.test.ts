import { appendFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SharedWriteLog, type WriteLogSettings } from "../src/publish/shared-write-log.js";
import { WriteLogAppender } from "../src/publish/write-log-appender.js";
import { encodeEntry, type WriteLogEntry } from "../src/publish/write-log-entry.js";
import { WriteLogTailer } from "../src/publish/write-log-tailer.js";
import { PendingWrites } from "../src/query/pending-writes.js";
import { createLogger } from "../src/server/logger.js";

// The shared write log on real files in a temporary directory: a reader takes complete lines
// only, forgets segments that vanish, re-reads one that was replaced, skips a line that is not
// an entry; a writer seals and removes its segments once a publication holds them; the
// overlay keeps the latest confirmed write of a key whatever order the log delivers them in.

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ca-write-log-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const at = (iso: string) => new Date(iso);

function entry(key: string, name: string | null, committedAt: string): WriteLogEntry {
  return {
    committedAt: at(committedAt),
    effects: [
      {
        table: "customers",
        key,
        row: name === null ? null : { customer_id: key, customer_name: name },
        owners: [],
      },
    ],
  };
}

const keysOf = (entries: readonly WriteLogEntry[]) =>
  entries.flatMap((e) => e.effects.map((effect) => `${effect.key}:${effect.row?.customer_name}`));

describe("tailing other writers' segments", () => {
  it("reads what another writer appended, once, and never its own segments", async () => {
    const a = new WriteLogAppender(dir, "host-a-1-aaaaaa");
    await a.append(entry("K1", "one", "2026-01-01T00:00:01Z"));
    await a.append(entry("K2", "two", "2026-01-01T00:00:02Z"));
    const b = new WriteLogTailer(dir, "host-b-2-bbbbbb");
    expect(keysOf((await b.read()).entries)).toEqual(["K1:one", "K2:two"]);
    expect((await b.read()).entries).toEqual([]);
    await a.append(entry("K3", "three", "2026-01-01T00:00:03Z"));
    expect(keysOf((await b.read()).entries)).toEqual(["K3:three"]);
    const self = new WriteLogTailer(dir, "host-a-1-aaaaaa");
    expect((await self.read()).entries).toEqual([]);
    await a.close();
  });

  it("leaves a partial last line until its newline arrives, then applies it whole", async () => {
    const line = encodeEntry(entry("K1", "half", "2026-01-01T00:00:01Z"));
    const segment = join(dir, "host-a-1-aaaaaa.000001.jsonl");
    await writeFile(segment, line.slice(0, 30));
    const tailer = new WriteLogTailer(dir, "me-0-000000");
    expect((await tailer.read()).entries).toEqual([]);
    expect(tailer.seen.get("host-a-1-aaaaaa.000001.jsonl")?.partial).toBe(true);
    await appendFile(segment, line.slice(30, -1));
    expect((await tailer.read()).entries).toEqual([]);
    await appendFile(segment, "\n");
    expect(keysOf((await tailer.read()).entries)).toEqual(["K1:half"]);
    expect(tailer.seen.get("host-a-1-aaaaaa.000001.jsonl")?.partial).toBe(false);
  });

  it("forgets a segment that vanished and reads a replaced one from its start", async () => {
    const segment = join(dir, "host-a-1-aaaaaa.000001.jsonl");
    await writeFile(segment, encodeEntry(entry("K1", "long name here", "2026-01-01T00:00:01Z")));
    const tailer = new WriteLogTailer(dir, "me-0-000000");
    expect((await tailer.read()).entries).toHaveLength(1);
    await rm(segment);
    expect((await tailer.read()).entries).toEqual([]);
    expect(tailer.seen.size).toBe(0);
    await writeFile(segment, encodeEntry(entry("K1", "long name here", "2026-01-01T00:00:01Z")));
    expect((await tailer.read()).entries).toHaveLength(1);
    await writeFile(segment, encodeEntry(entry("K9", "x", "2026-01-01T00:00:09Z")));
    expect(keysOf((await tailer.read()).entries)).toEqual(["K9:x"]);
  });

  it("tolerates a segment that is listed but gone by the time it is opened", async () => {
    // A link to nothing: listed by readdir, ENOENT on open, as a segment removed mid-read.
    await symlink(join(dir, "removed"), join(dir, "host-a-1-aaaaaa.000001.jsonl"));
    await writeFile(
      join(dir, "host-b-2-bbbbbb.000001.jsonl"),
      encodeEntry(entry("K1", "still read", "2026-01-01T00:00:01Z")),
    );
    const tailer = new WriteLogTailer(dir, "me-0-000000");
    expect(keysOf((await tailer.read()).entries)).toEqual(["K1:still read"]);
    expect([...tailer.seen.keys()]).toEqual(["host-b-2-bbbbbb.000001.jsonl"]);
  });

  it("skips a complete line that is not an entry, saying why, and reads the next ones", async () => {
    const segment = join(dir, "host-a-1-aaaaaa.000001.jsonl");
    await writeFile(
      segment,
      `not json\n${JSON.stringify({ format: 2 })}\n${JSON.stringify({ format: 1, committedAt: "2026-01-01T00:00:01Z", effects: [{ table: "orders", key: "1", row: null, owners: [] }] })}\n${encodeEntry(entry("K1", "fine", "2026-01-01T00:00:01Z"))}`,
    );
    await writeFile(join(dir, "notes.txt"), "not a segment\n");
    const read = await new WriteLogTailer(dir, "me-0-000000").read();
    expect(keysOf(read.entries)).toEqual(["K1:fine"]);
    expect(read.skipped).toEqual([
      "host-a-1-aaaaaa.000001.jsonl: the line is not JSON",
      "host-a-1-aaaaaa.000001.jsonl: the line's format is 2, not 1",
      "host-a-1-aaaaaa.000001.jsonl: an effect of the line is not a written row",
    ]);
  });

  it("reads nothing, and does not fail, while the directory does not exist", async () => {
    const read = await new WriteLogTailer(join(dir, "missing"), "me-0-000000").read();
    expect(read).toEqual({ entries: [], skipped: [] });
  });
});

describe("a writer's own segments", () => {
  it("seals a segment a publication holds, removes it after the grace period, and starts a new one", async () => {
    const a = new WriteLogAppender(dir, "host-a-1-aaaaaa");
    await a.append(entry("K1", "one", "2026-01-01T00:00:01Z"));
    expect(await a.cleanUp(at("2026-01-01T00:00:00Z"), 0)).toEqual([]);
    expect(await a.cleanUp(undefined, 0)).toEqual([]);
    expect(await a.cleanUp(at("2026-01-01T00:00:01Z"), 60_000)).toEqual([]);
    expect(await readdir(dir)).toEqual(["host-a-1-aaaaaa.000001.jsonl"]);
    await a.append(entry("K2", "two", "2026-01-01T00:00:05Z"));
    expect(a.segments).toEqual(["host-a-1-aaaaaa.000001.jsonl", "host-a-1-aaaaaa.000002.jsonl"]);
    expect(await a.cleanUp(at("2026-01-01T00:00:02Z"), 0)).toEqual([
      "host-a-1-aaaaaa.000001.jsonl",
    ]);
    expect(await readdir(dir)).toEqual(["host-a-1-aaaaaa.000002.jsonl"]);
    await a.close();
  });
});

describe("the overlay learns from the log", () => {
  it("keeps the latest confirmed write of a key, whichever arrives last", () => {
    const overlay = new PendingWrites();
    overlay.put("customers", "K1", { customer_name: "newer" }, at("2026-01-01T00:00:05Z"));
    expect(
      overlay.learn("customers", "K1", { customer_name: "older" }, at("2026-01-01T00:00:04Z")),
    ).toBe(false);
    expect(overlay.learn("customers", "K2", null, at("2026-01-01T00:00:04Z"))).toBe(true);
    const view = overlay.newerThan(at("2026-01-01T00:00:00Z"));
    expect(view.entries("customers").map((e) => [e.key, e.row?.customer_name ?? null])).toEqual([
      ["K1", "newer"],
      ["K2", null],
    ]);
  });
});

describe("two processes sharing the log", () => {
  const settings = (
    publishDir: string,
    overlay: PendingWrites,
    heard: string[],
  ): WriteLogSettings => ({
    publishDir,
    appends: true,
    sweepsOthers: false,
    graceMs: 60_000,
    overlay,
    servedThrough: () => at("2026-01-01T00:00:00Z"),
    publishedThrough: () => undefined,
    onForeignWrite: () => heard.push("write"),
    log: createLogger("silent"),
  });

  it("shows one's write in the other's overlay, and a write whose line cannot be added still resolves", async () => {
    const overlayA = new PendingWrites();
    const overlayB = new PendingWrites();
    const heard: string[] = [];
    const a = await SharedWriteLog.start(settings(dir, overlayA, []));
    const b = await SharedWriteLog.start(settings(dir, overlayB, heard));
    await a.record(
      entry("K1", "shared", "2026-01-01T00:00:01Z").effects,
      at("2026-01-01T00:00:01Z"),
    );
    await b.poll();
    const seen = overlayB.newerThan(at("2026-01-01T00:00:00Z")).entries("customers");
    expect(seen.map((e) => e.row?.customer_name)).toEqual(["shared"]);
    expect(b.stats.applied).toBe(1);
    expect(heard).toEqual(["write"]);
    expect(overlayA.newerThan(at("2026-01-01T00:00:00Z")).size).toBe(0);
    // The directory gone (an unmounted volume): the next segment cannot be opened.
    await a.stop();
    await rm(join(dir, "writes"), { recursive: true });
    await a.record(entry("K2", "lost", "2026-01-01T00:00:02Z").effects, at("2026-01-01T00:00:02Z"));
    expect(a.stats.appendFailures).toBe(1);
    await mkdir(join(dir, "writes"));
    await b.stop();
  });

  it("removes, on the syncer, a gone writer's segment once a publication holds it", async () => {
    const gone = new WriteLogAppender(join(dir, "writes"), "host-gone-9-999999");
    await mkdir(join(dir, "writes"));
    await gone.append(entry("K1", "left", "2026-01-01T00:00:01Z"));
    await gone.append(entry("K2", "behind", "2026-01-01T00:00:03Z"));
    await gone.close();
    let published = at("2026-01-01T00:00:02Z");
    const syncer = await SharedWriteLog.start({
      ...settings(dir, new PendingWrites(), []),
      sweepsOthers: true,
      graceMs: 0,
      publishedThrough: () => published,
    });
    await syncer.poll();
    expect(await readdir(join(dir, "writes"))).toEqual(["host-gone-9-999999.000001.jsonl"]);
    published = at("2026-01-01T00:00:03Z");
    await syncer.poll();
    expect(await readdir(join(dir, "writes"))).toEqual([]);
    await syncer.stop();
  });
});

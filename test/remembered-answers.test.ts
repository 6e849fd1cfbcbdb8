import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Question, ReadRouter } from "../src/query/read-router.js";
import { SnapshotStore } from "../src/snapshot/snapshot-store.js";
import { fileSource } from "../src/source/file-source.js";
import { Syncer } from "../src/sync/syncer.js";
import { BASIC_FIXTURE } from "./support/test-service.js";

/**
 * Questions marked `remember` are computed once per snapshot and arguments, and the answers go
 * with the snapshot: a sync that changes the data changes the answer, a failure is not kept,
 * and callers asking at once share one computation.
 */

const log = pino({ level: "silent" });
const CACHED = { freshness: "cached_allowed", maxStalenessMs: undefined } as const;
const COUNT = "SELECT count(*)::INTEGER AS n FROM customer_products WHERE customer_id = ?";

let dir: string;
let source: string;
let store: SnapshotStore;
let router: ReadRouter;
let computed = 0;
let failNext = false;

/** Relationships of one customer, counting how often it is really computed. */
const relationships: Question<{ customerId: string }, number> = {
  remember: "TestRelationships",
  async snapshot(db, args) {
    computed++;
    if (failNext) {
      failNext = false;
      throw new Error("a passing failure");
    }
    const [row] = await db.all(COUNT, [args.customerId]);
    return Number(row?.n);
  },
};

async function sync(): Promise<void> {
  const run = await new Syncer(fileSource("local", source), store, log).sync("request", {
    force: true,
  });
  expect(run.state).toBe("succeeded");
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ca-remember-"));
  source = join(dir, "source");
  await cp(BASIC_FIXTURE, source, { recursive: true });
  store = new SnapshotStore(join(dir, "data"), log);
  await store.openLast();
  await sync();
  router = new ReadRouter(store, undefined, 24 * 3600_000);
});

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe("remembered answers", () => {
  it("computes a question once per snapshot and arguments, sharing it with callers asking at once", async () => {
    computed = 0;
    const asks = await Promise.all(
      Array.from({ length: 5 }, () => router.ask(relationships, { customerId: "C001" }, CACHED)),
    );
    expect(asks.map((a) => a.value)).toEqual([3, 3, 3, 3, 3]);
    expect((await router.ask(relationships, { customerId: "C002" }, CACHED)).value).toBe(3);
    expect((await router.ask(relationships, { customerId: "C001" }, CACHED)).value).toBe(3);
    expect(computed).toBe(2);
  });

  it("answers anew after a sync changes the data", async () => {
    const path = join(source, "customer_products.csv");
    const text = (await readFile(path, "utf8")).trimEnd();
    await writeFile(path, `${text}\nR900,C001,P04,holder,2024-01-01,,5.00\n`);
    const before = store.live?.id;
    await sync();
    expect(store.live?.id).not.toBe(before);
    computed = 0;
    const { value, meta } = await router.ask(relationships, { customerId: "C001" }, CACHED);
    expect(value).toBe(4);
    expect(meta.snapshotId).toBe(store.live?.id);
    expect(computed).toBe(1);
  });

  it("does not keep a failure", async () => {
    failNext = true;
    computed = 0;
    await expect(router.ask(relationships, { customerId: "C003" }, CACHED)).rejects.toThrow(
      "a passing failure",
    );
    expect((await router.ask(relationships, { customerId: "C003" }, CACHED)).value).toBe(1);
    expect(computed).toBe(2);
  });
});

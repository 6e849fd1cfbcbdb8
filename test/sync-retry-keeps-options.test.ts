import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SnapshotStore } from "../src/snapshot/snapshot-store.js";
import { fileSource } from "../src/source/file-source.js";
import { SyncSchedule } from "../src/sync/sync-schedule.js";
import type { SyncRunRecord } from "../src/sync/sync-status.js";
import { Syncer } from "../src/sync/syncer.js";
import { BASIC_FIXTURE } from "./support/test-service.js";

// A failed forced sync is retried forced: a plain retry would see the unchanged fingerprint,
// skip, and leave the snapshot the force was meant to replace.

const log = pino({ level: "silent" });
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ca-retry-"));
  await cp(BASIC_FIXTURE, join(dir, "source"), { recursive: true });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("retries of a failed sync", () => {
  it("keep the options of the run that failed", async () => {
    const store = new SnapshotStore(join(dir, "data"), log);
    await store.openLast();
    const source = fileSource("local", join(dir, "source"));
    let failNext = true;
    const syncer = new Syncer(
      source,
      store,
      log,
      async () => {
        if (failNext) {
          failNext = false;
          throw new Error("the derive step failed once");
        }
        return [];
      },
      {},
    );
    const first = await syncer.sync("startup");
    expect(first.state).toBe("failed");
    failNext = false;
    expect((await syncer.sync("request")).state).toBe("succeeded");
    const live = store.live?.id;

    const ended: SyncRunRecord[] = [];
    const retried = new Promise<SyncRunRecord>((resolve) => {
      syncer.onRunEnd((run) => {
        ended.push(run);
        if (run.trigger === "retry") resolve(run);
      });
    });
    const schedule = new SyncSchedule(syncer, log, undefined, 10);
    schedule.start();
    failNext = true;
    const forced = await syncer.sync("request", { force: true });
    expect(forced.state).toBe("failed");
    const retry = await retried;
    await schedule.stop();
    expect(retry.options.force).toBe(true);
    expect(retry.state).toBe("succeeded");
    expect(store.live?.id).not.toBe(live);
    expect(ended.map((run) => run.trigger)).toEqual(["request", "retry"]);
    await store.close();
  });
});

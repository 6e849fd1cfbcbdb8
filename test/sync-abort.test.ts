import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { SnapshotStore } from "../src/snapshot/snapshot-store.js";
import { fileSource } from "../src/source/file-source.js";
import { deriveAll } from "../src/sync/derive-all.js";
import { Syncer } from "../src/sync/syncer.js";
import { sleep } from "./support/child-service.js";
import { BASIC_FIXTURE } from "./support/test-service.js";

// Syncer.abort (what shutdown calls): the build in progress is interrupted in DuckDB, the run
// fails with the reason, its partial file is removed, and the live snapshot keeps serving. A
// run started after the abort fails at once.

const log = pino({ level: "silent" });
let dataDir: string;

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("aborting a sync", () => {
  it("interrupts the build, removes its file and leaves the live snapshot serving", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "ca-abort-"));
    const store = new SnapshotStore(dataDir, log);
    await store.openLast();
    const good = await new Syncer(fileSource("local", BASIC_FIXTURE), store, log).sync("startup");
    expect(good.state).toBe("succeeded");

    // The bundled demo data: a build of many seconds, long enough to be caught in the middle.
    const syncer = new Syncer(fileSource("online-retail"), store, log, deriveAll);
    const running = syncer.sync("request", { force: true });
    const snapshots = join(dataDir, "snapshots");
    for (let attempt = 0; attempt < 200; attempt++) {
      if ((await readdir(snapshots)).some((f) => f.startsWith(syncer.status.lastRun?.runId ?? "-")))
        break;
      await sleep(50);
    }
    expect(await readdir(snapshots)).toContain(`${syncer.status.lastRun?.runId}.duckdb`);
    syncer.abort("the service is shutting down");
    const run = await running;
    expect(run.state).toBe("failed");
    expect(run.message).toBe("the service is shutting down");
    const left = (await readdir(snapshots)).filter((f) => f.endsWith(".duckdb"));
    expect(left).toEqual([`${good.runId}.duckdb`]);
    expect(store.live?.id).toBe(good.runId);

    const later = await syncer.sync("request", { force: true });
    expect(later.state).toBe("failed");
    expect(later.message).toBe("the service is shutting down");
    await store.close();
  });
});

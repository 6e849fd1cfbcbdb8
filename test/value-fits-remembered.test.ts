import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INLINE_SUMMARY_QUERIES } from "../src/analytics/value/value-sql.js";
import { getCustomerValue, getValueModel } from "../src/query/value-queries.js";
import type { SnapshotReader } from "../src/snapshot/snapshot-reader.js";
import { SnapshotStore } from "../src/snapshot/snapshot-store.js";
import { fileSource } from "../src/source/file-source.js";
import { deriveAll } from "../src/sync/derive-all.js";
import { Syncer } from "../src/sync/syncer.js";

// A model for non-default arguments is fitted on the first request and remembered with the
// snapshot: asking again, from GetValueModel or GetCustomerValue, with another horizon or
// discount rate, does not fit again; another calibration end does. The default model is
// never fitted at read time at all: the sync precomputed it.

const CDNOW = fileURLToPath(new URL("fixtures/cdnow", import.meta.url));
const log = pino({ level: "silent" });

let dir: string;
let store: SnapshotStore;
let fits = 0;

/** The snapshot's own reader, counting the fits' first query (the BG/NBD histories). */
function counting(db: SnapshotReader): SnapshotReader {
  return {
    all(sql, params) {
      if (sql === INLINE_SUMMARY_QUERIES.historyGroups) fits++;
      return db.all(sql, params);
    },
    run: (sql, params) => db.run(sql, params),
    scan: (sql, params, onChunk) => db.scan(sql, params, onChunk),
    memo: db.memo,
  };
}

async function ask<T>(work: (db: SnapshotReader) => Promise<T>): Promise<T> {
  const answer = await store.read((db) => work(counting(db)));
  if (answer === undefined) throw new Error("no snapshot");
  return answer.value;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ca-value-memo-"));
  store = new SnapshotStore(join(dir, "data"), log);
  await store.openLast();
  const run = await new Syncer(fileSource("local", CDNOW), store, log, deriveAll).sync("request", {
    force: true,
  });
  expect(run.state).toBe("succeeded");
});

afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("value models on request", () => {
  it("answers the default arguments from the precomputed tables, fitting nothing", async () => {
    fits = 0;
    const model = await ask((db) => getValueModel(db, {}));
    expect(model.precomputed).toBe(true);
    await ask((db) => getCustomerValue(db, { customerId: "C0001", request: {} }));
    expect(fits).toBe(0);
  });

  it("fits other arguments once per snapshot, whoever asks and whatever the horizon", async () => {
    fits = 0;
    const paper = { calibrationEnd: "1997-09-30", timeUnit: "week" } as const;
    const first = await ask((db) => getValueModel(db, paper));
    expect(first.precomputed).toBe(false);
    const again = await ask((db) => getValueModel(db, paper));
    expect(again.model.bgnbd.params).toEqual(first.model.bgnbd.params);
    await ask((db) => getCustomerValue(db, { customerId: "C0001", request: paper }));
    await ask((db) =>
      getCustomerValue(db, { customerId: "C0002", request: { ...paper, horizonMonths: 36 } }),
    );
    expect(fits).toBe(1);
    await ask((db) => getValueModel(db, { ...paper, calibrationEnd: "1997-12-31" }));
    expect(fits).toBe(2);
  });
});

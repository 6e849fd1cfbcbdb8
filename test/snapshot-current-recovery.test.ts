import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLoggedService } from "./support/logged-service.js";
import { BASIC_FIXTURE } from "./support/test-service.js";

// A garbled, empty or missing CURRENT pointer, with the source unreachable: the good snapshot
// is found (the newest complete one), served, CURRENT rewritten, a warning names the problem,
// and no finished snapshot file is deleted.

let sourceDir: string;
let dataDir: string;
let goodId: string;
const UNFINISHED = "s20990101T000000000Z-abcdef";

beforeAll(async () => {
  sourceDir = await mkdtemp(join(tmpdir(), "ca-current-src-"));
  dataDir = await mkdtemp(join(tmpdir(), "ca-current-data-"));
  await cp(BASIC_FIXTURE, sourceDir, { recursive: true });
  const first = await startLoggedService({ LOCAL_SOURCE_DIR: sourceDir, DATA_DIR: dataDir });
  const run = await first.service.syncer.sync("startup");
  expect(run.state).toBe("succeeded");
  goodId = first.service.store.live?.id ?? "";
  await first.close();
  for (const name of await readdir(sourceDir)) await rm(join(sourceDir, name));
});

afterAll(async () => {
  await rm(sourceDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

const snapshots = () => join(dataDir, "snapshots");

/** A newer snapshot file whose build never finished: tables, but no metadata row. */
async function unfinishedBuild(): Promise<void> {
  const instance = await DuckDBInstance.create(join(snapshots(), `${UNFINISHED}.duckdb`));
  const connection = await instance.connect();
  await connection.run("CREATE TABLE customers AS SELECT 'X1' AS customer_id");
  connection.closeSync();
  instance.closeSync();
}

const cases: [string, () => Promise<void>, RegExp][] = [
  ["garbled", () => writeFile(join(snapshots(), "CURRENT"), "s2024-not-an-id\u0000\n"), /garbled/],
  ["empty", () => writeFile(join(snapshots(), "CURRENT"), ""), /empty/],
  ["missing", () => rm(join(snapshots(), "CURRENT")), /missing/],
];

describe("a broken CURRENT pointer", () => {
  it.each(cases)("when %s, serves the newest complete snapshot", async (_, breakIt, problem) => {
    await unfinishedBuild();
    await breakIt();
    const running = await startLoggedService({ LOCAL_SOURCE_DIR: sourceDir, DATA_DIR: dataDir });
    try {
      expect(running.service.store.live?.id).toBe(goodId);
      const answer = await running.customers().getCustomer({ customerId: "C001" });
      expect(answer.meta?.snapshotId).toBe(goodId);
      expect(answer.customer?.customerName).toBe("Alice Ltd");

      const run = await running.service.syncer.sync("startup");
      expect(run.state).toBe("failed");
      expect(running.service.store.live?.id).toBe(goodId);

      expect((await readFile(join(snapshots(), "CURRENT"), "utf8")).trim()).toBe(goodId);
      const files = await readdir(snapshots());
      expect(files).toContain(`${goodId}.duckdb`);
      expect(files).not.toContain(`${UNFINISHED}.duckdb`);
      const warnings = running.logs().filter((r) => Number(r.level) >= 40);
      const named = warnings.map((r) => String(r.msg)).filter((m) => m.includes("CURRENT"));
      expect(named.some((m) => problem.test(m))).toBe(true);
      expect(named.some((m) => m.includes(`CURRENT rewritten to ${goodId}`))).toBe(true);
    } finally {
      await running.close();
    }
  });
});

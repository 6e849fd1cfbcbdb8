import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { BASE_TABLE_NAMES, columnNames } from "../src/schema/schema-sql.js";
import { SnapshotStore } from "../src/snapshot/snapshot-store.js";
import { fileSource } from "../src/source/file-source.js";
import { Syncer } from "../src/sync/syncer.js";
import { BASIC_FIXTURE } from "./support/test-service.js";

// A source may carry columns the schema does not declare (an `email` nobody asked for yet):
// the snapshot holds exactly the schema's columns, in its order, and the values are unchanged.

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

describe("a source with an extra column", () => {
  it("builds a snapshot of the schema's columns only", async () => {
    const source = await tempDir("ca-src-");
    await cp(BASIC_FIXTURE, source, { recursive: true });
    const path = join(source, "customers.csv");
    const [header = "", ...rows] = (await readFile(path, "utf8")).trimEnd().split("\n");
    await writeFile(
      path,
      `email,${header}\n${rows.map((row, i) => `c${i}@example.com,${row}`).join("\n")}\n`,
    );
    const store = new SnapshotStore(await tempDir("ca-data-"), log);
    await store.openLast();
    try {
      const run = await new Syncer(fileSource("local", source), store, log).sync("startup");
      expect(run.state).toBe("succeeded");
      const answer = await store.read(async (db) => ({
        columns: await db.all(
          `SELECT table_name, column_name FROM information_schema.columns
           WHERE table_name IN ('customers', 'products', 'customer_products')
           ORDER BY table_name, ordinal_position`,
        ),
        alice: await db.all("SELECT * FROM customers WHERE customer_id = 'C001'"),
      }));
      const expected = BASE_TABLE_NAMES.toSorted().flatMap((table) =>
        columnNames(table).map((column) => ({ table_name: table, column_name: column })),
      );
      expect(answer?.value.columns).toEqual(expected);
      expect(answer?.value.alice).toEqual([
        {
          customer_id: "C001",
          customer_name: "Alice Ltd",
          customer_type: "retail",
          region: "North",
          registration_date: "2020-01-15",
          status: "active",
        },
      ]);
    } finally {
      await store.close();
    }
  });
});

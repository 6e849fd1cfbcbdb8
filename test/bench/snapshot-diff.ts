/**
 * Compares the base tables of two snapshot files: rows of each table in one and not the other,
 * with multiplicity (`EXCEPT ALL` both ways), so the benchmark can show that the snapshot built
 * through the bulk path holds exactly what the local-Parquet (or streamed) one holds.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { BASE_TABLES } from "../../src/source/table-feed.js";

/** Per base table, rows in one snapshot and not in the other (0 everywhere = equal). */
export type SnapshotDifference = Readonly<Record<string, number>>;

/** The live snapshot file of a service's DATA_DIR. */
export async function currentSnapshotFile(dataDir: string): Promise<string> {
  const snapshots = join(dataDir, "snapshots");
  const current = (await readFile(join(snapshots, "CURRENT"), "utf8")).trim();
  return join(snapshots, `${current}.duckdb`);
}

/** `EXCEPT ALL` both ways over the three base tables of snapshot files `a` and `b`. */
export async function snapshotDifference(a: string, b: string): Promise<SnapshotDifference> {
  const instance = await DuckDBInstance.create(":memory:", { memory_limit: "1GB" });
  const db = await instance.connect();
  const quoted = (path: string) => `'${path.replaceAll("'", "''")}'`;
  try {
    await db.run(`ATTACH ${quoted(a)} AS a (READ_ONLY)`);
    await db.run(`ATTACH ${quoted(b)} AS b (READ_ONLY)`);
    const out: Record<string, number> = {};
    for (const [table, columns] of Object.entries(BASE_TABLES)) {
      const list = columns.map((c) => `"${c}"`).join(", ");
      const one = (x: string, y: string) =>
        `(SELECT count(*) FROM (SELECT ${list} FROM ${x}.${table} EXCEPT ALL SELECT ${list} FROM ${y}.${table}))`;
      const reader = await db.runAndReadAll(`SELECT ${one("a", "b")} + ${one("b", "a")}`);
      out[table] = Number(reader.getRows()[0]?.[0]);
    }
    return out;
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

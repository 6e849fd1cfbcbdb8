import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { runSourceChecks } from "../../src/source/source-checks.js";
import { BASE_TABLES, type BaseTable, type SourceLoad } from "../../src/source/table-feed.js";

/** A dropped-rows note with its count resolved. */
export interface DroppedCount {
  readonly reason: string;
  readonly n: number;
}

/** What running a load produced: the connection holding the three tables, and the drop counts. */
export interface LoadedSource {
  readonly connection: DuckDBConnection;
  readonly dropped: readonly DroppedCount[];
}

/**
 * Runs a {@link SourceLoad} the way the snapshot builder does, on a fresh in-memory DuckDB:
 * `prepare` statements, then the checks (a failing one throws an `invalid_data` error), then
 * `CREATE TABLE <t> AS <select>` with the feed's params bound, then each dropped note's count.
 * It exists so the sources can be tested before, and independently of, the real builder.
 */
export async function runSourceLoad(load: SourceLoad): Promise<LoadedSource> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await DuckDBConnection.create(instance);
  for (const statement of load.prepare) {
    await connection.run(statement);
  }
  await runSourceChecks(load.checks ?? [], async (sql, params) => {
    const reader = await connection.runAndReadAll(sql, [...params]);
    return reader.getRowObjectsJson();
  });
  for (const table of Object.keys(BASE_TABLES) as BaseTable[]) {
    const feed = load.tables[table];
    if (feed.kind !== "select") {
      throw new Error(`the harness runs select feeds only; ${table} is ${feed.kind}`);
    }
    await connection.run(`CREATE TABLE ${table} AS ${feed.sql}`, [...feed.params]);
  }
  const dropped: DroppedCount[] = [];
  for (const note of load.dropped) {
    const reader = await connection.runAndReadAll(note.countSql);
    const [row] = reader.getRowObjectsJson();
    dropped.push({ reason: note.reason, n: Number(row?.n) });
  }
  return { connection, dropped };
}

/** Runs `sql` on `connection` and returns the rows as JSON-shaped objects. */
export async function queryRows(
  connection: DuckDBConnection,
  sql: string,
  params: readonly (string | number)[] = [],
): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql, [...params]);
  return reader.getRowObjectsJson();
}

import type { DuckDBConnection } from "@duckdb/node-api";
import { BASE_TABLES, type BaseTable } from "../source/table-feed.js";
import type { SqlRunner } from "./sql-runner.js";

/**
 * Loads streamed rows through an all-VARCHAR staging table and DuckDB's appender, then casts
 * into the typed table in one INSERT. Values arrive as text (decimals as exact strings), so the
 * cast is DuckDB's exact text-to-DECIMAL and DATE parsing; the appender flushes in chunks, so
 * memory stays flat however many rows the source streams.
 */
export async function appendRows(
  connection: DuckDBConnection,
  db: SqlRunner,
  table: BaseTable,
  batches: AsyncIterable<readonly (readonly (string | null)[])[]>,
  order: string,
  onRows: (rows: number) => void,
): Promise<void> {
  const columns = BASE_TABLES[table];
  const staging = `${table}__staging`;
  await db.run(`CREATE TEMP TABLE ${staging} (${columns.map((c) => `"${c}" VARCHAR`).join(", ")})`);
  const appender = await connection.createAppender(staging, "main", "temp");
  let rows = 0;
  try {
    for await (const batch of batches) {
      for (const row of batch) {
        for (let i = 0; i < columns.length; i++) {
          const value = row[i];
          if (value === null || value === undefined) appender.appendNull();
          else appender.appendVarchar(value);
        }
        appender.endRow();
      }
      appender.flushSync();
      rows += batch.length;
      onRows(rows);
    }
  } finally {
    appender.closeSync();
  }
  await db.run(`INSERT INTO ${table} SELECT * FROM ${staging} ORDER BY ${order}`);
  await db.run(`DROP TABLE ${staging}`);
}

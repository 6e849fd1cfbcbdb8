import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import {
  connectionRunner,
  type SqlParam,
  type SqlRow,
  type SqlRunner,
} from "../src/snapshot/sql-runner.js";
import { BASE_TABLE_DDL } from "./support/base-table-ddl.js";

/** The three base tables as snapshots declare them (from the schema module). */
export const BASE_DDL = BASE_TABLE_DDL;

/** Rows for each base table, in column order; omitted tables stay empty. */
export interface FixtureRows {
  readonly customers?: readonly (readonly SqlParam[])[];
  readonly products?: readonly (readonly SqlParam[])[];
  readonly customer_products?: readonly (readonly SqlParam[])[];
}

/** An in-memory snapshot: the connection (to close) and the runner the code under test uses. */
export interface Fixture {
  readonly db: SqlRunner;
  readonly connection: DuckDBConnection;
  close(): void;
}

/** Creates an in-memory DuckDB with the base tables (or custom DDL) and inserts the rows. */
export async function createFixture(
  rows: FixtureRows,
  ddl: readonly string[] = BASE_DDL,
): Promise<Fixture> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const db = connectionRunner(connection);
  for (const statement of ddl) await db.run(statement);
  for (const [table, tableRows] of Object.entries(rows) as [string, SqlParam[][]][]) {
    for (let i = 0; i < tableRows.length; i += 500) {
      const batch = tableRows.slice(i, i + 500);
      const values = batch.map((row) => `(${row.map(() => "?").join(", ")})`).join(", ");
      await db.run(`INSERT INTO ${table} VALUES ${values}`, batch.flat());
    }
  }
  return {
    db,
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** One `eda_column_profile` row, failing the test when the build did not profile the column. */
export async function columnProfileRow(
  db: SqlRunner,
  table: string,
  column: string,
): Promise<SqlRow> {
  const [row] = await db.all(
    "SELECT * FROM eda_column_profile WHERE table_name = ? AND column_name = ?",
    [table, column],
  );
  if (row === undefined) throw new Error(`no profile for ${table}.${column}`);
  return row;
}

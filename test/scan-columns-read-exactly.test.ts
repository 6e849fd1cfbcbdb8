import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StringPool } from "../src/query/memory/string-pool.js";
import { ConnectionPool } from "../src/snapshot/connection-pool.js";
import type { ScanColumn } from "../src/snapshot/snapshot-reader.js";

// The in-memory structures load ten million rows through `scan`: numeric columns arrive as typed
// arrays copied out of DuckDB's vectors and VARCHAR columns as their UTF-8 bytes, straight into a
// pool. Both must give exactly the values DuckDB holds, NULLs, long strings (stored out of line)
// and chunk boundaries included.

let instance: DuckDBInstance;
let pool: ConnectionPool;

beforeAll(async () => {
  instance = await DuckDBInstance.create(":memory:");
  pool = await ConnectionPool.create(instance, 1);
});

afterAll(() => {
  pool.close();
  instance.closeSync();
});

/** Every row of `sql`, its columns as the scan hands them over, the UTF-8 ones pooled. */
async function scanned(sql: string, utf8Columns: readonly number[]) {
  const columns: ScanColumn[][] = [];
  const pools = utf8Columns.map(() => new StringPool());
  const nulls: boolean[][] = utf8Columns.map(() => []);
  await pool.scan(
    sql,
    [],
    (chunk, rows, utf8) => {
      chunk.forEach((column, c) => {
        columns[c] ??= [];
        columns[c].push(column);
      });
      utf8Columns.forEach((c, u) => {
        const text = utf8[c];
        if (text === undefined) throw new Error(`column ${c} came without its bytes`);
        for (let r = 0; r < rows; r++) {
          pools[u]?.pushUtf8(text, r);
          nulls[u]?.push(text.isNull(r));
        }
      });
      return true;
    },
    utf8Columns,
  );
  const texts = pools.map((p, u) =>
    Array.from({ length: p.size }, (_, i) => (nulls[u]?.[i] ? null : p.get(i))),
  );
  return { columns, texts };
}

describe("a scan", () => {
  it("hands over VARCHAR columns as their exact bytes: NULLs, empty, inline and long strings", async () => {
    const values = [
      "short",
      null,
      "",
      "exactly12byt",
      "thirteen byte",
      "a string longer than twelve bytes: ü€😀",
      "ünïcødé",
    ];
    const sql = `SELECT v::VARCHAR AS v, i::INTEGER AS i FROM (
        SELECT unnest($$${JSON.stringify(values)}$$::JSON::VARCHAR[]) AS v, generate_subscripts(
          $$${JSON.stringify(values)}$$::JSON::VARCHAR[], 1) AS i) ORDER BY i`;
    const { texts } = await scanned(sql, [0]);
    expect(texts[0]).toEqual(values);
  });

  it("reads thousands of rows over several chunks, numbers as typed arrays and NULLs as values", async () => {
    const rows = 5000;
    const sql = `SELECT (i * 7)::INTEGER AS n, (i / 4)::DOUBLE AS d,
        CASE WHEN i % 3 = 0 THEN NULL ELSE i END::INTEGER AS maybe,
        ('id-' || i || repeat('x', (i % 20)::INTEGER))::VARCHAR AS id
      FROM range(${rows}) t(i) ORDER BY i`;
    const { columns, texts } = await scanned(sql, [3]);
    const flat = (c: number) => (columns[c] ?? []).flatMap((chunk) => Array.from(chunk));
    expect(columns[0]?.length).toBeGreaterThan(1);
    expect(columns[0]?.every((chunk) => chunk instanceof Int32Array)).toBe(true);
    expect(columns[1]?.every((chunk) => chunk instanceof Float64Array)).toBe(true);
    expect(flat(0)).toEqual(Array.from({ length: rows }, (_, i) => i * 7));
    expect(flat(1)).toEqual(Array.from({ length: rows }, (_, i) => i / 4));
    expect(flat(2)).toEqual(Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? null : i)));
    expect(texts[0]).toEqual(
      Array.from({ length: rows }, (_, i) => `id-${i}${"x".repeat(i % 20)}`),
    );
  });
});

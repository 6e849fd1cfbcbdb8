import type { DuckDBDataChunk } from "@duckdb/node-api";
import duckdb from "@duckdb/node-bindings";
import type { ScanColumn } from "./snapshot-reader.js";
import { type Utf8Column, utf8Column } from "./utf8-column.js";

/** How a numeric column type is copied out of a vector: its width in bytes, its array. */
interface NumericColumn {
  readonly width: number;
  readonly copy: (bytes: Uint8Array, rows: number) => Int32Array | Float64Array;
}

const NUMERIC = new Map<duckdb.Type, NumericColumn>([
  [
    duckdb.Type.INTEGER,
    { width: 4, copy: (b, rows) => new Int32Array(b.buffer, b.byteOffset, rows).slice() },
  ],
  [
    duckdb.Type.DOUBLE,
    { width: 8, copy: (b, rows) => new Float64Array(b.buffer, b.byteOffset, rows).slice() },
  ],
]);

/**
 * A chunk's columns for a scan: an INTEGER or DOUBLE column without NULLs as a typed array
 * copied out of the vector's memory in one step, a VARCHAR column `utf8Columns` lists as its
 * bytes ({@link Utf8Column}, left empty in `columns`), any other column value by value. The loads of
 * the in-memory structures read ten million rows of such columns: converting them one value at
 * a time was a third of the portfolio's build. The copy outlives the chunk, whose memory DuckDB
 * reuses.
 */
export function scanColumns(
  chunk: DuckDBDataChunk,
  utf8Columns: readonly number[],
): { columns: ScanColumn[]; utf8: (Utf8Column | undefined)[] } {
  const rows = chunk.rowCount;
  const columns: ScanColumn[] = [];
  const utf8: (Utf8Column | undefined)[] = [];
  for (let c = 0; c < chunk.columnCount; c++) {
    const vector = duckdb.data_chunk_get_vector(chunk.chunk, c);
    const type = duckdb.get_type_id(duckdb.vector_get_column_type(vector));
    if (type === duckdb.Type.VARCHAR && utf8Columns.includes(c)) {
      columns.push([]);
      utf8[c] = utf8Column(vector, rows);
      continue;
    }
    const numeric = NUMERIC.get(type);
    const hasNulls = duckdb.vector_get_validity(vector, Math.ceil(rows / 64) * 8) !== null;
    if (numeric === undefined || hasNulls) {
      columns.push(chunk.getColumnValues(c) as ScanColumn);
    } else {
      columns.push(numeric.copy(duckdb.vector_get_data(vector, rows * numeric.width), rows));
    }
  }
  return { columns, utf8 };
}

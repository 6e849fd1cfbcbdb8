import type { QueryResult, SnowflakeClient } from "./snowflake-client.js";
import type { SourceWriter, WriteRow, WriteTx } from "./source-writer.js";

/** A result's rows as lower-case-named text, the way the write path reads rows back. */
function textRows(result: QueryResult): WriteRow[] {
  const names = result.columns.map((column) => column.name.toLowerCase());
  return result.rows.map((row) => {
    const out: Record<string, string | null> = {};
    names.forEach((name, i) => {
      const value = row[i];
      if (value === null || value === undefined) out[name] = null;
      else if (value instanceof Date) out[name] = value.toISOString().slice(0, 10);
      else out[name] = String(value);
    });
    return out;
  });
}

/**
 * Writes to Snowflake: each write is one explicit transaction (BEGIN … COMMIT) on one pooled
 * session, every statement with bound values, the whole of it within `timeoutMs`. A DML
 * statement's result is its row count (`number of rows inserted` / `updated` / `deleted`),
 * which the write path checks. Anything Snowflake refuses, or a timeout, rolls the transaction
 * back and surfaces as the driver's UNAVAILABLE error.
 */
export function snowflakeWriter(client: SnowflakeClient, timeoutMs: number): SourceWriter {
  return {
    target: "snowflake",
    async transaction(fn) {
      const value = await client.transaction(
        (run) => {
          const tx: WriteTx = {
            all: async (sql, binds) => textRows(await run(sql, binds)),
            run: async (sql, binds) => Number((await run(sql, binds)).rows[0]?.[0] ?? 0),
          };
          return fn(tx);
        },
        { what: "writing", timeoutMs },
      );
      return { value, committedAt: new Date() };
    },
  };
}

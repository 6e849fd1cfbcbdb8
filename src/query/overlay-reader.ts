import { BASE_SCHEMA, type BaseTableName } from "../schema/base-tables.js";
import { BASE_TABLE_NAMES, ddlType, quoted } from "../schema/schema-sql.js";
import type { SqlParam } from "../snapshot/sql-runner.js";
import type { PendingView } from "./pending-writes.js";
import type { Reader } from "./reader.js";

/** A statement with its bound values. */
export interface BoundSql {
  readonly sql: string;
  readonly params: readonly SqlParam[];
}

const mentions = (sql: string, table: string): boolean =>
  new RegExp(`\\b${table}\\b(?!_)`).test(sql);

/**
 * One table as the snapshot holds it with the pending writes laid over it: the snapshot's rows
 * whose key has no pending write, then the written rows (deleted ones are simply absent). The
 * columns come from the schema in table order, so the union lines up with `SELECT *`; every
 * value and key is bound.
 */
function overlaidTable(table: BaseTableName, pending: PendingView): BoundSql {
  const spec = BASE_SCHEMA[table];
  const entries = pending.entries(table);
  const written = entries.flatMap((entry) => (entry.row === null ? [] : [entry.row]));
  const params: SqlParam[] = [entries.map((entry) => entry.key)];
  let sql = `SELECT * FROM main.${table}
    WHERE NOT coalesce(list_contains(?::VARCHAR[], ${quoted(spec.primaryKey)}), false)`;
  if (written.length > 0) {
    const casts = spec.columns.map((c) => `CAST(? AS ${ddlType(c)})`).join(", ");
    sql += ` UNION ALL SELECT * FROM (VALUES ${written.map(() => `(${casts})`).join(", ")})`;
    for (const row of written) for (const c of spec.columns) params.push(row[c.name] ?? null);
  }
  return { sql, params };
}

/**
 * `sql` with each base table it reads replaced by the overlaid table: a CTE of the table's own
 * name shadows the table, so the very SQL the question runs on the snapshot (and live) runs on
 * snapshot + pending writes, and the answer is by construction the one the next snapshot will
 * give. Tables with no pending write are left alone.
 */
export function withPendingWrites(sql: string, pending: PendingView): BoundSql {
  const ctes: string[] = [];
  const params: SqlParam[] = [];
  for (const table of BASE_TABLE_NAMES) {
    if (pending.entries(table).length === 0 || !mentions(sql, table)) continue;
    const overlaid = overlaidTable(table, pending);
    ctes.push(`${table} AS (${overlaid.sql})`);
    params.push(...overlaid.params);
  }
  if (ctes.length === 0) return { sql, params: [] };
  const own = /^\s*WITH\s+/i.exec(sql);
  const text =
    own === null
      ? `WITH ${ctes.join(", ")} ${sql}`
      : `WITH ${ctes.join(", ")}, ${sql.slice(own[0].length)}`;
  return { sql: text, params };
}

/**
 * A {@link Reader} over a snapshot that answers as if the pending writes were already in it.
 * The query layer's shared SQL (the questions the live source also answers) runs through it
 * unchanged whenever writes are pending.
 */
export function overlayReader(
  db: { all(sql: string, params?: readonly SqlParam[]): ReturnType<Reader["all"]> },
  pending: PendingView,
): Reader {
  return {
    all(sql, params = []) {
      const bound = withPendingWrites(sql, pending);
      return db.all(bound.sql, [...bound.params, ...params]);
    },
  };
}

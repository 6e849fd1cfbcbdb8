import type { BaseTableName as BaseTable } from "../schema/base-tables.js";

/** A row as written: column name → text or NULL (dates YYYY-MM-DD, decimals their digits). */
export type PendingRowValues = Readonly<Record<string, string | null>>;

/** One written row not yet in the snapshot: its new values, or null once deleted. */
export interface PendingRow {
  readonly key: string;
  readonly row: PendingRowValues | null;
  /** When the source confirmed the write; a snapshot read after it holds the write. */
  readonly committedAt: Date;
}

/**
 * The overlay: rows written through this process that the live snapshot may not hold yet,
 * keyed by table and primary key, the latest write of a key replacing the earlier one. Reads
 * consult it by id on top of the snapshot (a written row replaces the snapshot's row with the
 * same key, a deleted one hides it), so a write is visible at once and nothing is counted
 * twice. When a snapshot whose data is as of a later instant goes live, the entries it holds
 * are dropped ({@link dropThrough}).
 */
export class PendingWrites {
  readonly #tables: Record<BaseTable, Map<string, PendingRow>> = {
    customers: new Map(),
    products: new Map(),
    customer_products: new Map(),
  };

  /** Records a confirmed write of `key` in `table` (`row` null for a delete). */
  put(table: BaseTable, key: string, row: PendingRowValues | null, committedAt: Date): void {
    this.#tables[table].set(key, { key, row, committedAt });
  }

  /** The pending write of `key`, if any. */
  get(table: BaseTable, key: string): PendingRow | undefined {
    return this.#tables[table].get(key);
  }

  /** Every pending write of `table`, in key order. */
  entries(table: BaseTable): PendingRow[] {
    return [...this.#tables[table].values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  /** How many rows are pending, over the three tables. */
  get size(): number {
    return Object.values(this.#tables).reduce((n, table) => n + table.size, 0);
  }

  /** Whether `table` has a pending write. */
  touches(table: BaseTable): boolean {
    return this.#tables[table].size > 0;
  }

  /** Drops the writes a snapshot with data as of `dataAsOf` holds. */
  dropThrough(dataAsOf: Date): number {
    let dropped = 0;
    for (const table of Object.values(this.#tables)) {
      for (const [key, entry] of table) {
        if (entry.committedAt.getTime() <= dataAsOf.getTime()) {
          table.delete(key);
          dropped += 1;
        }
      }
    }
    return dropped;
  }
}

import type { BaseTableName as BaseTable } from "../schema/base-tables.js";

/** A row as written: column name → text or NULL (dates YYYY-MM-DD, decimals their digits). */
export type PendingRowValues = Readonly<Record<string, string | null>>;

/** One written row not yet in the snapshot: its new values, or null once deleted. */
export interface PendingRow {
  readonly key: string;
  readonly row: PendingRowValues | null;
  /** When the source confirmed the write; a snapshot whose data is as of later holds it. */
  readonly committedAt: Date;
  /** The customer and product ids the row pointed at before and after the write. */
  readonly owners: readonly string[];
}

/**
 * The overlay: rows written through this process (or, with several replicas, through another
 * one, {@link learn}) that a snapshot may not hold yet, keyed by table and primary key, the
 * latest write of a key replacing the earlier one. A read asks for the writes newer than the
 * snapshot it reads ({@link newerThan}) and lays them over it: a
 * written row replaces the snapshot's row with the same key, a deleted one hides it, so a
 * write shows at once and nothing is counted twice. Entries are dropped once no snapshot a
 * read can still hold predates them ({@link dropThrough}).
 */
export class PendingWrites {
  readonly #tables: Record<BaseTable, Map<string, PendingRow>> = {
    customers: new Map(),
    products: new Map(),
    customer_products: new Map(),
  };

  /** Records a confirmed write of `key` in `table` (`row` null for a delete). */
  put(
    table: BaseTable,
    key: string,
    row: PendingRowValues | null,
    committedAt: Date,
    owners: readonly string[] = [],
  ): void {
    const map = this.#tables[table];
    map.delete(key);
    map.set(key, { key, row, committedAt, owners });
  }

  /**
   * Records a write another process confirmed (read from the shared write log), unless a write
   * of the same key confirmed later is held already: the log's entries arrive after the
   * writer's own and in no order across writers, and the latest confirmed write must win.
   */
  learn(
    table: BaseTable,
    key: string,
    row: PendingRowValues | null,
    committedAt: Date,
    owners: readonly string[] = [],
  ): boolean {
    const held = this.#tables[table].get(key);
    if (held !== undefined && held.committedAt.getTime() >= committedAt.getTime()) return false;
    this.put(table, key, row, committedAt, owners);
    return true;
  }

  /** The writes a snapshot with data as of `dataAsOf` does not hold. */
  newerThan(dataAsOf: Date): PendingView {
    const at = dataAsOf.getTime();
    const pick = (table: BaseTable) =>
      [...this.#tables[table].values()]
        .filter((entry) => entry.committedAt.getTime() > at)
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return new PendingView({
      customers: pick("customers"),
      products: pick("products"),
      customer_products: pick("customer_products"),
    });
  }

  /** Forgets the writes a snapshot with data as of `dataAsOf` holds. */
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

/** The pending writes one read lays over its snapshot, fixed for that read. */
export class PendingView {
  constructor(private readonly tables: Readonly<Record<BaseTable, readonly PendingRow[]>>) {}

  /** The pending writes of `table`, in key order. */
  entries(table: BaseTable): readonly PendingRow[] {
    return this.tables[table];
  }

  /** How many rows are pending, over the three tables. */
  get size(): number {
    return Object.values(this.tables).reduce((n, rows) => n + rows.length, 0);
  }

  /**
   * Whether a pending write concerns the customer or product `id`: its own row, or a holding
   * that points (or pointed) at it.
   */
  concerns(table: "customers" | "products", id: string): boolean {
    if (this.tables[table].some((entry) => entry.key === id)) return true;
    return this.tables.customer_products.some((entry) => entry.owners.includes(id));
  }
}

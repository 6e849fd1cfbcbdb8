import { AppError } from "../app-error.js";
import type { BaseTableName as BaseTable } from "../schema/base-tables.js";
import type { WriteBind, WriteTx } from "../source/source-writer.js";
import { canonicalRow, etagOf, type StoredRow } from "./etag.js";
import type { ResourceSpec } from "./resource-specs.js";
import { EXISTS_SQL, HOLDINGS_OF, writeStatements } from "./write-sql.js";

/** What one write changed, for the overlay: every row written or deleted, by table. */
export interface WriteEffect {
  readonly table: BaseTable;
  readonly key: string;
  readonly row: StoredRow | null;
  /** The customer and product ids the row pointed at, before and after (holdings only). */
  readonly owners: readonly string[];
}

/** The owners of a holding's rows: the customer and product ids they point at. */
function ownersOf(...rows: (StoredRow | undefined)[]): string[] {
  const ids = rows.flatMap((row) => [row?.customer_id, row?.product_id]);
  return [...new Set(ids.filter((id): id is string => typeof id === "string"))];
}

/** The outcome of a write inside its transaction: the row now stored, and every change. */
export interface WriteOutcome {
  readonly row: StoredRow | null;
  readonly effects: readonly WriteEffect[];
}

const values = (spec: ResourceSpec, row: StoredRow): WriteBind[] =>
  spec.columns.map((c) => row[c.name] ?? null);

/**
 * The three writes of one resource, each run inside a source transaction: it reads the row,
 * checks what the caller expects (etag, parents, no holdings), then changes it with a
 * statement that also checks the row did not change since it was read. A failed check throws
 * a {@link AppError}, which rolls the transaction back.
 */
export class RowWriter {
  private readonly sql;

  constructor(readonly spec: ResourceSpec) {
    this.sql = writeStatements(spec);
  }

  /** The stored row by key, or undefined. */
  async read(tx: WriteTx, key: string): Promise<StoredRow | undefined> {
    const [row] = await tx.all(this.sql.select, [key]);
    return row;
  }

  /** Inserts `row`: ALREADY_EXISTS when its key is taken, FAILED_PRECONDITION without parents. */
  async create(tx: WriteTx, asked: StoredRow): Promise<WriteOutcome> {
    const row = canonicalRow(this.spec, asked);
    const key = String(row[this.spec.key]);
    await this.requireParents(tx, row);
    const inserted = await tx.run(this.sql.insert, [...values(this.spec, row), key]);
    if (inserted !== 1) {
      throw new AppError(
        "already_exists",
        `${this.spec.noun} ${JSON.stringify(key)} already exists`,
        { field: `${this.spec.field}.${this.spec.key}` },
      );
    }
    return { row, effects: [{ table: this.spec.table, key, row, owners: ownersOf(row) }] };
  }

  /**
   * Replaces the row by key with `change(current)`: NOT_FOUND when absent (or when `owner`
   * says it is not the caller's), ABORTED when `etag` is set and stale or the row changed
   * while this write ran.
   */
  async update(
    tx: WriteTx,
    key: string,
    etag: string,
    change: (current: StoredRow) => StoredRow,
    owner?: { readonly column: string; readonly value: string },
  ): Promise<WriteOutcome> {
    const current = await this.current(tx, key, etag, `${this.spec.field}.etag`, owner);
    const next = canonicalRow(this.spec, change(current));
    await this.requireParents(tx, next, current);
    const changed = await tx.run(this.sql.update, [
      ...values(this.spec, next),
      key,
      ...values(this.spec, current),
    ]);
    if (changed !== 1) throw this.concurrent(key, `${this.spec.field}.etag`);
    const owners = ownersOf(current, next);
    return { row: next, effects: [{ table: this.spec.table, key, row: next, owners }] };
  }

  /**
   * Deletes the row by key. `holdingsBy` names the holdings column that points at this
   * resource: with holdings, FAILED_PRECONDITION unless `force`, which deletes them first in
   * the same transaction.
   */
  async delete(
    tx: WriteTx,
    key: string,
    options: {
      readonly etag: string;
      readonly force?: boolean;
      readonly holdingsBy?: keyof typeof HOLDINGS_OF;
    },
  ): Promise<WriteOutcome> {
    const current = await this.current(tx, key, options.etag, "etag");
    const effects: WriteEffect[] = [];
    if (options.holdingsBy !== undefined) {
      const holdings = HOLDINGS_OF[options.holdingsBy];
      const held = await tx.all(holdings.ids, [key]);
      if (held.length > 0 && options.force !== true) {
        throw new AppError(
          "failed_precondition",
          `${this.spec.noun} ${JSON.stringify(key)} still has ${held.length} holding(s); delete them first or set force to delete them too`,
          { field: "force" },
        );
      }
      if (held.length > 0 && (await tx.run(holdings.delete, [key])) !== held.length) {
        throw this.concurrent(key, "force");
      }
      for (const row of held) {
        const id = String(row.relationship_id);
        effects.push({ table: "customer_products", key: id, row: null, owners: ownersOf(row) });
      }
    }
    const deleted = await tx.run(this.sql.delete, [key, ...values(this.spec, current)]);
    if (deleted !== 1) throw this.concurrent(key, "etag");
    effects.push({ table: this.spec.table, key, row: null, owners: ownersOf(current) });
    return { row: null, effects };
  }

  private async current(
    tx: WriteTx,
    key: string,
    etag: string,
    etagField: string,
    owner?: { readonly column: string; readonly value: string },
  ): Promise<StoredRow> {
    const current = await this.read(tx, key);
    if (current === undefined || (owner !== undefined && current[owner.column] !== owner.value)) {
      throw new AppError("not_found", `${this.spec.noun} ${JSON.stringify(key)} does not exist`, {
        field: `${this.spec.field}.${this.spec.key}`,
      });
    }
    if (etag !== "" && etagOf(this.spec, current) !== etag) {
      throw new AppError(
        "aborted",
        `${etagField} is stale: ${this.spec.noun} ${JSON.stringify(key)} changed since it was read; read it again and retry`,
        { field: etagField },
      );
    }
    return current;
  }

  private concurrent(key: string, field: string): AppError {
    return new AppError(
      "aborted",
      `${this.spec.noun} ${JSON.stringify(key)} changed while this write ran; read it again and retry`,
      { field },
    );
  }

  private async requireParents(tx: WriteTx, row: StoredRow, before?: StoredRow): Promise<void> {
    for (const parent of this.spec.parents) {
      const value = row[parent.column] ?? null;
      if (before !== undefined && before[parent.column] === value) continue;
      const [found] = value === null ? [] : await tx.all(EXISTS_SQL[parent.table], [value]);
      if (Number(found?.n ?? 0) === 0) {
        const field =
          parent.column === "customer_id" ? "customer_id" : `${this.spec.field}.${parent.column}`;
        throw new AppError(
          "failed_precondition",
          `${field} ${JSON.stringify(value ?? "")} names no existing ${parent.table === "customers" ? "customer" : "product"}`,
          { field },
        );
      }
    }
  }
}

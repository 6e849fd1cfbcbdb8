import { BuildError } from "./build-error.js";
import type { SqlRunner } from "./sql-runner.js";

/** Something validation or the source noticed about the loaded rows, kept in the snapshot. */
export interface ValidationNote {
  readonly kind: "dropped" | "orphans";
  readonly message: string;
  readonly rows: number;
}

const DUPLICATE_KEYS = [
  ["customers", "customer_id"],
  ["products", "product_id"],
  ["customer_products", "relationship_id"],
] as const;

const COUNT_DUPLICATE_KEYS = (table: string, key: string) =>
  `SELECT count(*)::INTEGER AS n, min(${key}) AS example FROM
     (SELECT ${key} FROM ${table} GROUP BY ${key} HAVING count(*) > 1)`;

const COUNT_ORPHANS = {
  customer: `SELECT count(*)::INTEGER AS n FROM customer_products r
    WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = r.customer_id)`,
  product: `SELECT count(*)::INTEGER AS n FROM customer_products r
    WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.product_id = r.product_id)`,
} as const;

/**
 * Checks what docs/architecture.md (A sync, Validate) requires before a snapshot may go live: primary keys unique (a
 * duplicate fails the build, because every lookup would become ambiguous) and relationships
 * pointing at customers and products that exist (orphans are counted and reported, not
 * dropped, so the data-quality report can show them).
 */
export async function validateBaseTables(db: SqlRunner): Promise<ValidationNote[]> {
  for (const [table, key] of DUPLICATE_KEYS) {
    const [row] = await db.all(COUNT_DUPLICATE_KEYS(table, key));
    const duplicates = Number(row?.n ?? 0);
    if (duplicates > 0) {
      throw new BuildError(
        `${table}.${key} is not unique: ${duplicates} values occur more than once (for example ${JSON.stringify(row?.example)})`,
      );
    }
  }
  const notes: ValidationNote[] = [];
  for (const [side, sql] of Object.entries(COUNT_ORPHANS)) {
    const [row] = await db.all(sql);
    const rows = Number(row?.n ?? 0);
    if (rows > 0) {
      notes.push({ kind: "orphans", message: `relationships whose ${side} does not exist`, rows });
    }
  }
  return notes;
}

import type { SqlRunner } from "../../snapshot/sql-runner.js";
import type { CatalogColumn } from "./profiles-catalog.js";
import { onlyRow, toCount } from "./profiles-values.js";

/** Duplicate rows of a table in ydata's terms, plus the surplus-row count people often mean. */
export interface DuplicateStats {
  /** ydata's n_duplicates: the number of distinct row groups that occur more than once. */
  readonly groups: number;
  /** Rows beyond the first in each duplicated group (what `count(*) - count(DISTINCT *)` gives). */
  readonly surplusRows: number;
}

/**
 * Groups the table on all supported columns (NULLs group together, like pandas'
 * `groupby(dropna=False)`) and keeps groups seen more than once.
 */
function duplicatesSql(tableIdent: string, columns: readonly CatalogColumn[]): string {
  const cols = columns.map((c) => c.ident).join(", ");
  return `
    SELECT count(*) AS groups, coalesce(sum(n - 1), 0) AS surplus
    FROM (SELECT count(*) AS n FROM ${tableIdent} GROUP BY ${cols} HAVING count(*) > 1)`;
}

/**
 * Counts duplicated rows. When some column is fully populated and all distinct (a primary key),
 * no two rows can be equal, so the grouping over every column, the costliest query of the
 * profile, is skipped.
 */
export async function readDuplicates(
  db: SqlRunner,
  tableIdent: string,
  columns: readonly CatalogColumn[],
  rows: number,
  hasUniqueKey: boolean,
): Promise<DuplicateStats> {
  if (rows === 0 || columns.length === 0 || hasUniqueKey) return { groups: 0, surplusRows: 0 };
  const row = onlyRow(await db.all(duplicatesSql(tableIdent, columns)), "duplicates");
  return { groups: toCount(row.groups), surplusRows: toCount(row.surplus) };
}

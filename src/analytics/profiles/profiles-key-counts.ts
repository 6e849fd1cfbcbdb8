import type { SqlRunner } from "../../snapshot/sql-runner.js";
import type { CatalogColumn } from "./profiles-catalog.js";
import type { ValueCountStats } from "./profiles-value-counts.js";
import { onlyRow, toCount, toText } from "./profiles-values.js";

/**
 * Exact distinct and once-only counts of a key column from one sort: a value differs from its
 * predecessor once per distinct value, and from both neighbours when it occurs once. On a
 * near-unique column a sort is several times cheaper than a hash table with one group per row.
 */
function keyCountsSql(tableIdent: string, column: CatalogColumn): string {
  const q = column.ident;
  return `
    SELECT count(*) AS nonnull,
           count(*) FILTER (WHERE c IS DISTINCT FROM p) AS n_distinct,
           count(*) FILTER (WHERE c IS DISTINCT FROM p AND c IS DISTINCT FROM nx) AS n_unique
    FROM (SELECT ${q} AS c, lag(${q}) OVER w AS p, lead(${q}) OVER w AS nx
          FROM ${tableIdent} WHERE ${q} IS NOT NULL WINDOW w AS (ORDER BY ${q}))`;
}

function firstValuesSql(tableIdent: string, column: CatalogColumn): string {
  const q = column.ident;
  return `SELECT CAST(${q} AS VARCHAR) AS v FROM ${tableIdent} WHERE ${q} IS NOT NULL ORDER BY ${q} LIMIT ?`;
}

/**
 * Value counts of a primary-key string column when it is indeed unique: every value occurs once,
 * so the top values are simply the smallest ones and the entropy is log2(N). Returns null when
 * the column has duplicates; the caller then groups it exactly like any other column.
 */
export async function readUniqueKeyCounts(
  db: SqlRunner,
  tableIdent: string,
  column: CatalogColumn,
  topValues: number,
): Promise<ValueCountStats | null> {
  const row = onlyRow(await db.all(keyCountsSql(tableIdent, column)), "key counts");
  const nonnull = toCount(row.nonnull);
  if (toCount(row.n_unique) !== nonnull) return null;
  const first = await db.all(firstValuesSql(tableIdent, column), [topValues]);
  return {
    nDistinct: nonnull,
    nUnique: nonnull,
    entropy: nonnull > 0 ? Math.log2(nonnull) : 0,
    top: first.map((r) => ({ value: toText(r.v) ?? "", count: 1 })),
    quantiles: null,
    mad: null,
    binCounts: new Map(),
  };
}

import type { SqlParam, SqlRunner } from "../../snapshot/sql-runner.js";
import type { CatalogColumn } from "./profiles-catalog.js";
import { onlyRow, toCount, toFinite } from "./profiles-values.js";

/** A column taking part in the "auto" correlation matrix, with the role ydata gives it. */
export interface CorrelationColumn {
  readonly column: CatalogColumn;
  readonly role: "numeric" | "categorical";
  /** Minimum and maximum as DOUBLE, for cutting a numeric column into uniform bins. */
  readonly min: number | null;
  readonly max: number | null;
}

/** How a pair was measured: Spearman for two numerics, Cramér's V when a categorical is involved. */
export type CorrelationMethod = "spearman" | "cramers_v";

/** One pair's coefficient; null when it is undefined (a constant column, no complete pairs). */
export interface CorrelationResult {
  readonly columnA: string;
  readonly columnB: string;
  readonly method: CorrelationMethod;
  readonly coefficient: number | null;
  /** Rows where both columns are non-null (pandas drops the others). */
  readonly n: number;
}

/**
 * Spearman's rho as pandas computes it: Pearson's r of the ranks over complete pairs, with ties
 * given their average rank. DuckDB's `rank()` gives tied values the lowest rank, so half the tie
 * group size minus one is added.
 */
function spearmanSql(tableIdent: string, a: CatalogColumn, b: CatalogColumn): string {
  return `
    WITH p AS (
      SELECT CAST(${a.ident} AS DOUBLE) AS x, CAST(${b.ident} AS DOUBLE) AS y FROM ${tableIdent}
      WHERE ${a.ident} IS NOT NULL AND ${b.ident} IS NOT NULL
    ),
    r AS (
      SELECT rank() OVER (ORDER BY x) + (count(*) OVER (PARTITION BY x) - 1) / 2.0 AS rx,
             rank() OVER (ORDER BY y) + (count(*) OVER (PARTITION BY y) - 1) / 2.0 AS ry
      FROM p
    )
    SELECT corr(rx, ry) AS rho, count(*) AS n FROM r`;
}

/**
 * The bin `pd.cut(x, bins=k, labels=False)` assigns: k equal-width, right-closed bins between
 * min and max (the first widened to include min). Edges are `mn + i*step`, as numpy's linspace
 * makes them; the first guess is corrected against them so edge values fall where pandas puts them.
 */
function cutExpr(x: string, p: string): string {
  const i0 = `least(greatest(ceil((${x} - ${p}.mn) / ${p}.step) - 1, 0), ${p}.k - 1)`;
  return `CASE
    WHEN ${i0} >= 1 AND ${x} <= ${p}.mn + ${i0} * ${p}.step THEN ${i0} - 1
    WHEN ${i0} <= ${p}.k - 2 AND ${x} > ${p}.mn + (${i0} + 1) * ${p}.step THEN ${i0} + 1
    ELSE ${i0} END`;
}

const CUT_PARAMS_SQL = "(SELECT ?::DOUBLE AS mn, ?::DOUBLE AS step, ?::BIGINT AS k)";

function crosstabBranch(
  tableIdent: string,
  pair: number,
  a: CorrelationColumn,
  b: CorrelationColumn,
  bins: number,
  params: SqlParam[],
): string {
  const from = [tableIdent];
  const expr = (c: CorrelationColumn, alias: string): string => {
    if (c.role === "categorical") return c.column.ident;
    const min = c.min ?? 0;
    params.push(min, ((c.max ?? min) - min) / bins, bins);
    from.push(`${CUT_PARAMS_SQL} AS ${alias}`);
    return cutExpr(`CAST(${c.column.ident} AS DOUBLE)`, alias);
  };
  const ea = expr(a, "pa");
  const eb = expr(b, "pb");
  return `SELECT ${pair} AS pair, CAST(a AS VARCHAR) AS x, CAST(b AS VARCHAR) AS y, count(*) AS o
    FROM (SELECT ${ea} AS a, ${eb} AS b FROM ${from.join(", ")}
          WHERE ${a.column.ident} IS NOT NULL AND ${b.column.ident} IS NOT NULL)
    GROUP BY a, b`;
}

/**
 * Pearson's chi-squared of every pair's crosstab in one statement: the crosstab (complete rows
 * only, as `pd.crosstab`), expected counts from the marginals over the full r×k grid (empty cells
 * included), and Yates' continuity correction when the table is 2×2, because ydata calls
 * `scipy.stats.chi2_contingency(correction=True)`, which applies it when dof = 1.
 */
function chiSquaredSql(branches: readonly string[]): string {
  return `
    WITH ct AS (${branches.join(" UNION ALL ")}),
    rt AS (SELECT pair, x, sum(o) AS rx FROM ct GROUP BY pair, x),
    kt AS (SELECT pair, y, sum(o) AS ky FROM ct GROUP BY pair, y),
    tot AS (SELECT pair, sum(o) AS n, count(DISTINCT x) AS r, count(DISTINCT y) AS k FROM ct GROUP BY pair),
    cells AS (
      SELECT rt.pair, rt.rx * kt.ky / tot.n AS e, coalesce(ct.o, 0) AS o, tot.r = 2 AND tot.k = 2 AS yates
      FROM rt JOIN kt ON kt.pair = rt.pair JOIN tot ON tot.pair = rt.pair
      LEFT JOIN ct ON ct.pair = rt.pair AND ct.x = rt.x AND ct.y = kt.y
    ),
    chi AS (
      SELECT pair, sum(CASE WHEN yates
                            THEN power(o + sign(e - o) * least(0.5, abs(e - o)) - e, 2) / e
                            ELSE power(o - e, 2) / e END) AS chi2
      FROM cells GROUP BY pair
    )
    SELECT tot.pair, tot.n, tot.r, tot.k, chi.chi2 FROM tot JOIN chi ON chi.pair = tot.pair`;
}

/**
 * ydata's `_cramers_corrected_stat` (Bergsma's bias correction) from chi², n and the crosstab's
 * shape: 1 when the corrected denominator is 0, undefined (null) when it is negative.
 */
export function cramersV(chi2: number, n: number, r: number, k: number): number | null {
  if (n === 0) return 0;
  const phi2 = chi2 / n;
  const phi2corr = Math.max(0, phi2 - ((k - 1) * (r - 1)) / (n - 1));
  const rcorr = r - (r - 1) ** 2 / (n - 1);
  const kcorr = k - (k - 1) ** 2 / (n - 1);
  const denom = Math.min(kcorr - 1, rcorr - 1);
  if (denom === 0) return 1;
  const v = Math.sqrt(phi2corr / denom);
  return Number.isFinite(v) ? v : null;
}

/**
 * Computes ydata's "auto" matrix for a table's eligible columns: Spearman for numeric pairs and
 * bias-corrected Cramér's V for every pair with a categorical, the numeric side cut into
 * `numericBins` uniform bins. All Cramér pairs share one statement.
 */
export async function readCorrelations(
  db: SqlRunner,
  tableIdent: string,
  columns: readonly CorrelationColumn[],
  numericBins: number,
): Promise<CorrelationResult[]> {
  const results: CorrelationResult[] = [];
  const cramerPairs: [CorrelationColumn, CorrelationColumn][] = [];
  for (let i = 0; i < columns.length; i++) {
    for (let j = i + 1; j < columns.length; j++) {
      const a = columns[i] as CorrelationColumn;
      const b = columns[j] as CorrelationColumn;
      if (a.role === "numeric" && b.role === "numeric") {
        const row = onlyRow(await db.all(spearmanSql(tableIdent, a.column, b.column)), "spearman");
        results.push({
          columnA: a.column.name,
          columnB: b.column.name,
          method: "spearman",
          coefficient: toFinite(row.rho),
          n: toCount(row.n),
        });
      } else {
        cramerPairs.push([a, b]);
      }
    }
  }
  if (cramerPairs.length === 0) return results;
  const params: SqlParam[] = [];
  const branches = cramerPairs.map(([a, b], i) =>
    crosstabBranch(tableIdent, i, a, b, numericBins, params),
  );
  const rows = await db.all(chiSquaredSql(branches), params);
  const byPair = new Map(rows.map((r) => [toCount(r.pair), r]));
  cramerPairs.forEach(([a, b], i) => {
    const row = byPair.get(i);
    const n = row === undefined ? 0 : toCount(row.n);
    const v =
      row === undefined ? 0 : cramersV(toFinite(row.chi2) ?? 0, n, toCount(row.r), toCount(row.k));
    results.push({
      columnA: a.column.name,
      columnB: b.column.name,
      method: "cramers_v",
      coefficient: v,
      n,
    });
  });
  return results;
}

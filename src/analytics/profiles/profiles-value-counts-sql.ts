import type { SqlParam } from "../../snapshot/sql-runner.js";
import { type CatalogColumn, isNumericStorage } from "./profiles-catalog.js";

/** The quantiles ydata reports (`vars.num.quantiles`). */
export const PROFILE_QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95] as const;

/**
 * pandas' linear-interpolation quantile over a weighted, sorted distribution `src(x, n, cum,
 * tot)`: the values at 0-based positions floor and ceil of `(tot-1)*p` are the smallest x whose
 * running count exceeds each position. Exact, and it sorts distinct values instead of rows.
 */
function weightedQuantile(x: string, p: number): string {
  const pos = `((any_value(tot) - 1) * ${p})`;
  const lo = `min(${x}) FILTER (WHERE cum > floor((tot - 1) * ${p}))`;
  const hi = `min(${x}) FILTER (WHERE cum > ceil((tot - 1) * ${p}))`;
  return `(${lo} + (${hi} - ${lo}) * (${pos} - floor(${pos})))`;
}

function running(x: string, from: string): string {
  return `SELECT ${x}, n, sum(n) OVER (ORDER BY ${x} ROWS UNBOUNDED PRECEDING) AS cum,
    sum(n) OVER () AS tot FROM ${from}`;
}

/** Median absolute deviation (`median(|x - median(x)|)`) from the weighted distribution. */
function madSql(i: number): string {
  return `(SELECT ${weightedQuantile("d", 0.5)} FROM (${running(
    "d",
    `(SELECT abs(x - (SELECT ${weightedQuantile("x", 0.5)} FROM s${i})) AS d, n FROM s${i})`,
  )}))`;
}

/**
 * Bins the weighted distribution as `np.histogram(values, bins=k)`: k = min(maxBins, distinct)
 * equal-width bins from min to max, edges `min + i*step`; the first guess is corrected against the
 * edges as numpy corrects it. Only a column with min < max is binned here.
 */
function histogramSql(i: number): string {
  const step = "((mx - mn) / k)";
  return `(SELECT list({'bin': b, 'n': c} ORDER BY b) FROM (
      SELECT CASE WHEN x < mn + i0 * ${step} THEN i0 - 1
                  WHEN i0 <> k - 1 AND x >= mn + (i0 + 1) * ${step} THEN i0 + 1
                  ELSE i0 END AS b,
             CAST(sum(n) AS BIGINT) AS c
      FROM (SELECT x, n, mn, mx, k, least(floor((x - mn) / (mx - mn) * k), k - 1) AS i0
            FROM s${i}, (SELECT min(x) AS mn, max(x) AS mx, least(?, count(*)) AS k
                         FROM s${i} WHERE isfinite(x)) AS r
            WHERE r.mx > r.mn AND isfinite(x))
      GROUP BY b))`;
}

const NO_QUANTILES = "CAST(NULL AS DOUBLE[])";
const NO_MAD = "CAST(NULL AS DOUBLE)";
const NO_HISTOGRAM = "CAST(NULL AS STRUCT(bin BIGINT, n BIGINT)[])";

function isBinned(c: CatalogColumn): boolean {
  return isNumericStorage(c.storage) || c.storage === "date";
}

/**
 * One statement computing, for each column, from a single grouping of it (a materialized CTE):
 * the exact distinct count, the count of values seen exactly once, the entropy terms
 * (`log2(N) - sum(n*log2(n))/N` needs no second pass), the top-N list (ties by value), and for
 * numeric and date columns the weighted quantiles, mad and histogram. Bound values are the top-N
 * limit and the bin cap; `params` receives them in statement order.
 */
export function valueCountsSql(
  tableIdent: string,
  columns: readonly CatalogColumn[],
  topValues: number,
  maxBins: number,
  params: SqlParam[],
): string {
  const ctes: string[] = [];
  const branches: string[] = [];
  columns.forEach((c, i) => {
    ctes.push(
      `vc${i} AS MATERIALIZED (SELECT ${c.ident} AS v, count(*) AS n FROM ${tableIdent} ` +
        `WHERE ${c.ident} IS NOT NULL GROUP BY ${c.ident})`,
    );
    if (isBinned(c)) {
      const x = c.storage === "date" ? "CAST(epoch(v) AS DOUBLE)" : "CAST(v AS DOUBLE)";
      ctes.push(`s${i} AS MATERIALIZED (${running("x", `(SELECT ${x} AS x, n FROM vc${i})`)})`);
    }
    const numeric = isNumericStorage(c.storage);
    const quantiles = PROFILE_QUANTILES.map((p) => weightedQuantile("x", p)).join(", ");
    params.push(topValues);
    if (isBinned(c)) params.push(maxBins);
    branches.push(`
      SELECT ${i} AS col, count(*) AS n_distinct, count(*) FILTER (WHERE n = 1) AS n_unique,
             CAST(sum(n) AS BIGINT) AS total, sum(n * log2(n)) AS n_log_n,
             (SELECT list({'value': CAST(v AS VARCHAR), 'count': n} ORDER BY n DESC, v)
                FROM (SELECT v, n FROM vc${i} ORDER BY n DESC, v LIMIT ?)) AS top,
             ${numeric ? `(SELECT [${quantiles}] FROM s${i})` : NO_QUANTILES} AS q,
             ${numeric ? madSql(i) : NO_MAD} AS mad,
             ${isBinned(c) ? histogramSql(i) : NO_HISTOGRAM} AS hist
      FROM vc${i}`);
  });
  return `WITH ${ctes.join(",\n")} ${branches.join(" UNION ALL ")}`;
}

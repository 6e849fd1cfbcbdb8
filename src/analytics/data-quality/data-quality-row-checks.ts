import type { JsonValue, SqlParam, SqlRow, SqlRunner } from "../../snapshot/sql-runner.js";
import { onlyRow, toCount, toText } from "../profiles/profiles-values.js";
import type { RowCheck } from "./data-quality-checks.js";
import type { UnexpectedCount, UnexpectedSample } from "./data-quality-result.js";

/** The raw counts and partial lists of one row-level check, before percentages and status. */
export interface RowCheckCounts {
  readonly check: RowCheck;
  readonly elementCount: number;
  /** Non-missing rows; null for not-null checks, whose nulls are the unexpected values. */
  readonly nonnull: number | null;
  readonly unexpected: number;
  /** For uniqueness checks, the number of duplicated values (or combinations). */
  readonly groups: number | null;
  readonly samples: readonly UnexpectedSample[];
  readonly counts: readonly UnexpectedCount[];
}

/**
 * All map and not-null checks over one FROM clause in a single scan: per check, a FILTER count of
 * evaluated rows and one of unexpected rows. Bound values follow the checks' order.
 */
function countSql(from: string, checks: readonly RowCheck[]): { sql: string; params: SqlParam[] } {
  const aggs = checks.map(
    (c, i) =>
      `count(*) FILTER (WHERE ${c.evaluated}) AS e${i}, ` +
      `count(*) FILTER (WHERE (${c.evaluated}) AND (${c.unexpected})) AS u${i}`,
  );
  return {
    sql: `SELECT count(*) AS element_count, ${aggs.join(", ")} FROM ${from}`,
    params: checks.flatMap((c) => [...c.params]),
  };
}

/**
 * GX's partial lists of the checks that found something, in one more scan of their FROM clause:
 * the first `limit` unexpected rows in table order (`min_by(..., rowid, limit)`). Clean checks
 * never pay for it.
 */
function samplesSql(from: string, checks: readonly RowCheck[], limit: number) {
  const params: SqlParam[] = [];
  const aggs = checks.map((c, i) => {
    params.push(limit, ...c.params);
    return (
      `min_by({'v': ${c.value}, 'k': ${c.key}}, ${c.order}, ?) ` +
      `FILTER (WHERE (${c.evaluated}) AND (${c.unexpected})) AS s${i}`
    );
  });
  return { sql: `SELECT ${aggs.join(", ")} FROM ${from}`, params };
}

/** The most frequent unexpected values of a map check, ties by value. */
function countsSql(check: RowCheck): string {
  return `SELECT ${check.value} AS v, count(*) AS n FROM ${check.from}
    WHERE (${check.evaluated}) AND (${check.unexpected})
    GROUP BY v ORDER BY n DESC, v NULLS FIRST LIMIT ?`;
}

/** Reads a list of `{v, k}` structs (samples) from a converted DuckDB value. */
export function samplesFrom(value: JsonValue | undefined): UnexpectedSample[] {
  if (!Array.isArray(value)) return [];
  return (value as Record<string, JsonValue>[]).map((s) => ({
    value: toText(s.v),
    key: toText(s.k),
  }));
}

/** Reads `(v, n)` rows (value counts). */
export function countsFrom(rows: readonly SqlRow[]): UnexpectedCount[] {
  return rows.map((r) => ({ value: toText(r.v), count: toCount(r.n) }));
}

async function runGroup(
  db: SqlRunner,
  from: string,
  group: readonly RowCheck[],
  limit: number,
): Promise<RowCheckCounts[]> {
  const { sql, params } = countSql(from, group);
  const row = onlyRow(await db.all(sql, params), "row checks");
  const unexpected = group.map((_, i) => toCount(row[`u${i}`]));
  const failing = limit > 0 ? group.filter((_, i) => (unexpected[i] ?? 0) > 0) : [];
  const sampled = new Map<RowCheck, UnexpectedSample[]>();
  if (failing.length > 0) {
    const q = samplesSql(from, failing, limit);
    const sampleRow = onlyRow(await db.all(q.sql, q.params), "samples");
    failing.forEach((c, i) => {
      sampled.set(c, samplesFrom(sampleRow[`s${i}`]));
    });
  }
  const results: RowCheckCounts[] = [];
  for (const [i, check] of group.entries()) {
    const counted = sampled.has(check) && check.countValues;
    results.push({
      check,
      elementCount: toCount(row.element_count),
      nonnull: check.kind === "not_null" ? null : toCount(row[`e${i}`]),
      unexpected: unexpected[i] ?? 0,
      groups: null,
      samples: sampled.get(check) ?? [],
      counts: counted ? countsFrom(await db.all(countsSql(check), [...check.params, limit])) : [],
    });
  }
  return results;
}

/**
 * Runs the map and not-null checks: one counting scan per FROM clause; for the checks that found
 * something, one scan collecting their samples and one grouping per check worth counting.
 */
export async function runMapChecks(
  db: SqlRunner,
  checks: readonly RowCheck[],
  limit: number,
): Promise<RowCheckCounts[]> {
  const byFrom = new Map<string, RowCheck[]>();
  for (const c of checks) byFrom.set(c.from, [...(byFrom.get(c.from) ?? []), c]);
  const results = new Map<RowCheck, RowCheckCounts>();
  for (const [from, group] of byFrom) {
    for (const r of await runGroup(db, from, group, limit)) results.set(r.check, r);
  }
  return checks.map((c) => results.get(c)).filter((r) => r !== undefined);
}

import type { SqlRunner } from "../../snapshot/sql-runner.js";
import { profiledUniqueKey } from "../profiles/profiles-key-unique.js";
import { onlyRow, toCount } from "../profiles/profiles-values.js";
import type { RowCheck } from "./data-quality-checks.js";
import { countsFrom, type RowCheckCounts, samplesFrom } from "./data-quality-row-checks.js";

const GROUPS_TABLE = "dq_tmp_duplicate_groups";

/**
 * The duplicated values (or combinations) of a check, exactly, without a hash table holding one
 * group per row: rows are first sorted by a 64-bit hash of the checked columns, hashes equal to
 * their predecessor are candidates, and only candidate rows are grouped on the real values, so a
 * hash collision can never be reported as a duplicate. Rows with a null in the columns are not
 * evaluated (GX ignores them).
 */
function duplicateGroupsSql(check: RowCheck): string {
  const cols = check.columns.map((c) => `"${c}"`).join(", ");
  return `
    CREATE OR REPLACE TEMP TABLE ${GROUPS_TABLE} AS
    WITH dup AS (
      SELECT DISTINCT h FROM (
        SELECT h, lag(h) OVER (ORDER BY h) AS p
        FROM (SELECT hash(${cols}) AS h FROM ${check.from} WHERE ${check.evaluated})
      ) WHERE h = p
    )
    SELECT ${cols}, count(*) AS n FROM ${check.from}
    WHERE ${check.evaluated} AND hash(${cols}) IN (SELECT h FROM dup)
    GROUP BY ${cols} HAVING count(*) > 1`;
}

function totalsSql(check: RowCheck): string {
  return `
    SELECT (SELECT count(*) FROM ${check.from}) AS element_count,
           (SELECT count(*) FROM ${check.from} WHERE ${check.evaluated}) AS nonnull,
           (SELECT coalesce(sum(n), 0) FROM ${GROUPS_TABLE}) AS unexpected,
           (SELECT count(*) FROM ${GROUPS_TABLE}) AS groups`;
}

function samplesSql(check: RowCheck): string {
  const cols = check.columns.map((c) => `"${c}"`).join(", ");
  return `
    SELECT min_by({'v': ${check.value}, 'k': ${check.key}}, t.rowid, ?) AS s
    FROM ${check.from} AS t JOIN ${GROUPS_TABLE} USING (${cols})`;
}

function groupCountsSql(check: RowCheck): string {
  return `SELECT ${check.value} AS v, n FROM ${GROUPS_TABLE} ORDER BY n DESC, v LIMIT ?`;
}

/**
 * When the profile build ran first, its exact counts of a single key column already answer GX's
 * uniqueness question (rows in duplicated groups = count − n_unique); a clean key then costs no
 * scan. Returns null when the profile is absent or the key has duplicates (samples are needed).
 */
async function fromProfile(db: SqlRunner, check: RowCheck): Promise<RowCheckCounts | null> {
  const column = check.columns[0];
  if (check.columns.length !== 1 || column === undefined) return null;
  const key = await profiledUniqueKey(db, check.table, column);
  if (key === null) return null;
  return {
    check,
    elementCount: key.rows,
    nonnull: key.nonnull,
    unexpected: 0,
    groups: 0,
    samples: [],
    counts: [],
  };
}

/**
 * GX `expect_column_values_to_be_unique` / `expect_compound_columns_to_be_unique`: every row
 * whose value (or combination) occurs more than once is unexpected, not only the surplus copies.
 */
export async function runUniqueCheck(
  db: SqlRunner,
  check: RowCheck,
  limit: number,
): Promise<RowCheckCounts> {
  const reused = await fromProfile(db, check);
  if (reused !== null) return reused;
  await db.run(duplicateGroupsSql(check));
  try {
    const totals = onlyRow(await db.all(totalsSql(check)), "uniqueness");
    const unexpected = toCount(totals.unexpected);
    const sampled = unexpected > 0 && limit > 0;
    const samples = sampled ? onlyRow(await db.all(samplesSql(check), [limit]), "samples").s : null;
    return {
      check,
      elementCount: toCount(totals.element_count),
      nonnull: toCount(totals.nonnull),
      unexpected,
      groups: toCount(totals.groups),
      samples: samplesFrom(samples),
      counts: sampled ? countsFrom(await db.all(groupCountsSql(check), [limit])) : [],
    };
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${GROUPS_TABLE}`);
  }
}

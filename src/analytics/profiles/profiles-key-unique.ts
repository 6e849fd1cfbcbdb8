import type { SqlRunner } from "../../snapshot/sql-runner.js";
import { onlyRow, toCount } from "./profiles-values.js";

const PROFILE_PRESENT_SQL = `
  SELECT count(*) AS n FROM duckdb_tables()
  WHERE database_name = current_database() AND schema_name = current_schema()
    AND table_name = 'eda_column_profile'`;

const PROFILE_KEY_SQL = `
  SELECT n, count_non_null, n_distinct, n_unique FROM eda_column_profile
  WHERE table_name = ? AND column_name = ?`;

/** The counts of a column the profile proved unique. */
export interface ProfiledUniqueKey {
  /** Rows of the table. */
  readonly rows: number;
  /** Rows with a value in the column; each value occurs once among them. */
  readonly nonnull: number;
}

/**
 * The profile build's exact counts of one column, when they prove its non-null values unique
 * (every value distinct and seen once): a later build of the same snapshot then needs neither
 * a distinct count nor a uniqueness scan over it. Null when the profile has not been built
 * into this snapshot, does not cover the column, or found a duplicate.
 */
export async function profiledUniqueKey(
  db: SqlRunner,
  table: string,
  column: string,
): Promise<ProfiledUniqueKey | null> {
  const present = onlyRow(await db.all(PROFILE_PRESENT_SQL), "profile presence");
  if (toCount(present.n) === 0) return null;
  const [row] = await db.all(PROFILE_KEY_SQL, [table, column]);
  if (row === undefined) return null;
  const nonnull = toCount(row.count_non_null);
  if (toCount(row.n_unique) !== nonnull || toCount(row.n_distinct) !== nonnull) return null;
  return { rows: toCount(row.n), nonnull };
}

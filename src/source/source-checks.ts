import type { AppError } from "../app-error.js";
import { sourceError } from "./source-error.js";
import type { SourceCheck } from "./table-feed.js";

/**
 * Runs one query and returns its rows. The snapshot builder passes its `SqlRunner.all`, so this
 * folder needs no database handle of its own.
 */
export type CheckQuery = (
  sql: string,
  params: readonly (string | number)[],
) => Promise<readonly Readonly<Record<string, unknown>>[]>;

/**
 * Runs a load's checks in order and throws a `invalid_data` error (see sourceError) for the first that returns a
 * row. It exists so that every builder (the snapshot build, the test harness) turns a failed
 * check into the same error with the same message.
 */
export async function runSourceChecks(
  checks: readonly SourceCheck[],
  query: CheckQuery,
): Promise<void> {
  for (const check of checks) {
    const [first] = await query(check.sql, check.params);
    if (first !== undefined) {
      throw checkFailure(check, first.detail);
    }
  }
}

/** The error for a failed check: its problem, then the offending row and value when known. */
export function checkFailure(check: SourceCheck, detail: unknown): AppError {
  const problem =
    typeof detail === "string" && detail !== "" ? `${check.problem} (${detail})` : check.problem;
  return sourceError(problem, check.file, check.column);
}

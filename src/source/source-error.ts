import { AppError } from "../app-error.js";

/**
 * Source data that cannot be loaded as the three base tables: a file that is missing, empty or
 * ambiguous, a required column that is absent, a value that does not cast to the column's type.
 * An `invalid_data` {@link AppError}, so that the syncer can tell "the operator's files are
 * wrong" (fix the data, the last good snapshot keeps serving) from a bug or an outage; the
 * message always points at the file and column to fix.
 *
 * @param problem What is wrong, for a person; the message prefixes it with the file and column.
 */
export function sourceError(problem: string, file: string, column?: string): AppError {
  return new AppError(
    "invalid_data",
    column === undefined ? `${file}: ${problem}` : `${file}, column "${column}": ${problem}`,
    { file, column },
  );
}

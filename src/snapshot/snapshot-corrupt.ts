import { AppError } from "../app-error.js";

/** What DuckDB says when a block of the file is not what it wrote (checksums, torn pages). */
const CORRUPTION =
  /Corrupt database file|checksum[^.]*does not match|stored checksum|Database file is corrupt|not a valid DuckDB database file/i;

/**
 * The corruption message an error (or one of its causes) carries, or undefined when it is
 * another kind of failure. Wrappers such as "the snapshot has no analytics tables" keep the
 * original as their cause, which is why the chain is walked.
 */
export function corruptionOf(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    const match = CORRUPTION.exec(message);
    if (match !== null) return message.slice(match.index, match.index + 200);
    current = current instanceof Error ? current.cause : undefined;
  }
  return undefined;
}

/** The fixed reason word of an error that says the snapshot file is damaged. */
const CORRUPT_REASON = "snapshot corrupt";

/**
 * A read failed because the snapshot file is damaged. The snapshot has been taken out of
 * service by the time this is thrown, so it is UNAVAILABLE (the data cannot be read now, and a
 * retry after the rebuild will succeed), never INTERNAL or a misleading precondition.
 */
export function snapshotCorruptError(message: string, cause: unknown): AppError {
  return new AppError("unavailable", message, { cause, reason: CORRUPT_REASON });
}

/** Whether `err` is the error {@link snapshotCorruptError} makes. */
export function isSnapshotCorrupt(err: unknown): err is AppError {
  return err instanceof AppError && err.reason === CORRUPT_REASON;
}

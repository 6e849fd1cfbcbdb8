/**
 * A snapshot build that cannot finish: a source whose rows fail validation, a file that does
 * not match the contract. The message is written for the person reading the sync status, and
 * the build's partial file is removed, so the live snapshot is untouched.
 */
export class BuildError extends Error {
  override readonly name = "BuildError";
}

/** Recognises a {@link BuildError} by name, as protobuf-es's error guards do. */
export function isBuildError(err: unknown): err is BuildError {
  return err instanceof Error && err.name === "BuildError";
}

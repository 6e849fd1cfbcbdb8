/**
 * A snapshot build that cannot finish: a source whose rows fail validation, a file that does
 * not match the contract. The message is written for the person reading the sync status, and
 * the build's partial file is removed, so the live snapshot is untouched.
 */
export class BuildError extends Error {
  override readonly name = "BuildError";
}

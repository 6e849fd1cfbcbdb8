/**
 * The name every {@link SourceError} carries. Checking the name rather than `instanceof` keeps the
 * guard working across module copies (a bundled dashboard, a test double), as protobuf-es does
 * for its `FieldError`.
 */
const sourceErrorName = "SourceError";

/**
 * Source data that cannot be loaded as the three base tables: a file that is missing, empty or
 * ambiguous, a required column that is absent, a value that does not cast to the column's type.
 * It exists so that the syncer can tell "the operator's files are wrong" (fix the data, the last
 * good snapshot keeps serving) from a bug or an outage, and so that the message always points at
 * the file and column to fix.
 */
export class SourceError extends Error {
  override readonly name: typeof sourceErrorName = sourceErrorName;
  /** The file (or, for a missing file, the names looked for) the problem is in. */
  readonly file: string;
  /** The column the problem is in, when it is about one column. */
  readonly column?: string;

  /**
   * @param problem What is wrong, for a person; the message prefixes it with the file and column.
   */
  constructor(problem: string, file: string, column?: string) {
    super(column === undefined ? `${file}: ${problem}` : `${file}, column "${column}": ${problem}`);
    this.file = file;
    if (column !== undefined) {
      this.column = column;
    }
  }
}

/** Whether `arg` is a {@link SourceError}, also when it crossed a module boundary. */
export function isSourceError(arg: unknown): arg is SourceError {
  return (
    arg instanceof Error &&
    arg.name === sourceErrorName &&
    "file" in arg &&
    typeof arg.file === "string"
  );
}

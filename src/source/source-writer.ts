/**
 * How the write path reaches the source of truth. Sources that can take writes (Snowflake, the
 * embedded DuckDB database) hand one of these out; read-only sources (CSV or Parquet
 * directories, the bundled file read directly) do not, and say why.
 */

/** A value bound to a `?` placeholder of a write statement; never spliced into SQL. */
export type WriteBind = string | number | null;

/** A row read back during a write: column names lower-case, every value text or NULL. */
export type WriteRow = Readonly<Record<string, string | null>>;

/**
 * The statements of one write, run on one session. `all` reads (values come back as text:
 * dates `YYYY-MM-DD`, decimals as their digits); `run` changes and says how many rows it did.
 */
export interface WriteTx {
  all(sql: string, binds: readonly WriteBind[]): Promise<WriteRow[]>;
  run(sql: string, binds: readonly WriteBind[]): Promise<number>;
}

/**
 * A source's write entry point: `transaction` runs the statements of one write on one session
 * between BEGIN and COMMIT and rolls back when `fn` throws, so either all of them apply or
 * none. It resolves once the source confirmed the commit, with the local time just after it
 * (`committedAt`): a sync whose read point is later holds the write.
 */
export interface SourceWriter {
  /** What the writes go to, for messages ("snowflake", "embedded:<file>"). */
  readonly target: string;
  transaction<T>(fn: (tx: WriteTx) => Promise<T>): Promise<{ value: T; committedAt: Date }>;
}

/**
 * Thrown by a source's writer when the source could not confirm a write (unreachable, timed
 * out, session lost): the write may not have happened, and nothing changes locally. The API
 * answers UNAVAILABLE.
 */
export class SourceWriteUnavailableError extends Error {
  override readonly name = "SourceWriteUnavailableError";
}

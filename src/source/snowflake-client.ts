/*
 * The Snowflake client's contract, apart from the driver: `snowflake-driver.ts` (the only file
 * that imports `snowflake-sdk`) implements it; the source and the live runner see only these.
 */

/** How the pool and its statements behave; `snowflakeClient` takes them. */
export interface DriverOptions {
  /** Most sessions open at once (live queries plus one load and one metadata check). */
  readonly poolSize: number;
  /** How long getting a session (logging in, or waiting for a free one) may take. */
  readonly connectTimeoutMs: number;
  /** Snowflake's own limit on a load statement (`STATEMENT_TIMEOUT_IN_SECONDS`). */
  readonly statementTimeoutSeconds: number;
  /** Login retries after a network error (the driver's `sfRetryMaxLoginRetries`). */
  readonly loginRetries: number;
  /** How long a streamed result may send nothing before the load is abandoned. */
  readonly streamIdleTimeoutMs: number;
  /** Where the driver's own error and warning lines go (default: stderr). */
  readonly log?: (message: string) => void;
}

/** A value bound to a `?` placeholder, as the driver accepts it. */
export type Bind = string | number | boolean | null;

/** A result column as Snowflake describes it (`type` is the wire type: fixed, text, date …). */
export interface ResultColumn {
  readonly name: string;
  readonly type: string;
  /** Digits after the point for `fixed` columns; 0 otherwise. */
  readonly scale: number;
}

/** A whole (small) result: columns and rows as positional arrays. */
export interface QueryResult {
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly (readonly unknown[])[];
}

/** Options of {@link SnowflakeClient.query}. */
export interface QueryOptions {
  /** What the statement is for, named in error messages ("checking table metadata"). */
  readonly what: string;
  /**
   * Deadline for getting a session and the answer; past it the statement is canceled.
   * Default: the statement timeout, so no statement can wait for ever.
   */
  readonly timeoutMs?: number;
  /** Numbers as JS numbers and timestamps as `Date` instead of exact strings. */
  readonly nativeTypes?: boolean;
}

/** Options of {@link SnowflakeClient.stream}. */
export interface StreamOptions {
  readonly what: string;
  /** Rows per yielded batch. */
  readonly batchRows: number;
}

/** A text row of a streamed result: every value as a string, SQL NULL as null. */
export type TextRow = (string | null)[];

/**
 * The project's whole use of `snowflake-sdk`: a session pool, statements with bound values,
 * and streamed results. Values come back exact: NUMBER as its decimal text, DATE as
 * `YYYY-MM-DD`, NULL as null (never the string "NULL").
 */
export interface SnowflakeClient {
  /** The endpoint, as error messages name it. */
  readonly url: string;
  /** Runs one statement and returns all its rows. */
  query(sql: string, binds: readonly Bind[], options: QueryOptions): Promise<QueryResult>;
  /**
   * Streams a result in batches. Nothing runs until the first batch is asked for; the
   * session is held until the last batch was taken or the consumer stops early.
   */
  stream(sql: string, binds: readonly Bind[], options: StreamOptions): AsyncGenerator<TextRow[]>;
  /**
   * Runs `fn`'s statements on one session between BEGIN and COMMIT, all within `timeoutMs`;
   * when `fn` or the commit fails, the transaction is rolled back (or the session dropped,
   * which ends it), so the statements apply together or not at all.
   */
  transaction<T>(
    fn: (run: (sql: string, binds: readonly Bind[]) => Promise<QueryResult>) => Promise<T>,
    options: { readonly what: string; readonly timeoutMs: number },
  ): Promise<T>;
  /**
   * Runs `work` on one session held for its whole length, so statements that need the same
   * session (a temporary stage lives only in the session that created it) see each other's
   * effects; statements on it may run concurrently (several GETs at once).
   */
  session<T>(what: string, work: (session: SnowflakeSession) => Promise<T>): Promise<T>;
  /** Ends every session (after borrowed ones come back, at most a few seconds). */
  close(): Promise<void>;
}

/** One held session: statements as {@link SnowflakeClient.query} runs them, all on it. */
export interface SnowflakeSession {
  query(sql: string, binds: readonly Bind[], options: QueryOptions): Promise<QueryResult>;
}

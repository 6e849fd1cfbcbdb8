import type { SnowflakeClient } from "./snowflake-client.js";

/** A statement a sync has sent and not yet seen the end of. */
export interface RunningStatement {
  /** What it is for ("streaming customers at …"), as error messages name it. */
  readonly what: string;
  readonly startedAt: Date;
}

/**
 * Runs `work` with a statement named `what` counted in `running` until it settles; the one
 * place a client's and a session's queries are recorded, so both leave the set the same way.
 */
async function whileRunning<T>(
  running: Set<RunningStatement>,
  what: string,
  work: () => Promise<T>,
): Promise<T> {
  const entry = { what, startedAt: new Date() };
  running.add(entry);
  try {
    return await work();
  } finally {
    running.delete(entry);
  }
}

/**
 * Remembers the statements a sync has in flight, so GetSyncStatus can say which one a sync
 * waits on and for how long (a hung statement otherwise only shows as a run stuck at RUNNING
 * until `SNOWFLAKE_STATEMENT_TIMEOUT`). A streamed statement counts until its last batch.
 */
export class StatementTracker {
  readonly #running = new Set<RunningStatement>();

  /** The oldest statement in flight, or undefined when none is. */
  current(): RunningStatement | undefined {
    return this.#running.values().next().value;
  }

  /** `client` with every query and stream recorded here while it runs. */
  wrap(client: SnowflakeClient): SnowflakeClient {
    const running = this.#running;
    return {
      url: client.url,
      query: (sql, binds, options) =>
        whileRunning(running, options.what, () => client.query(sql, binds, options)),
      transaction: (fn, options) => client.transaction(fn, options),
      async *stream(sql, binds, options) {
        const entry = { what: options.what, startedAt: new Date() };
        running.add(entry);
        try {
          yield* client.stream(sql, binds, options);
        } finally {
          running.delete(entry);
        }
      },
      session: (what, work) =>
        client.session(what, (session) =>
          work({
            query: (sql, binds, options) =>
              whileRunning(running, options.what, () => session.query(sql, binds, options)),
          }),
        ),
      close: () => client.close(),
    };
  }
}

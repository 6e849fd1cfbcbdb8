import { snowflakeUnavailable } from "./snowflake-errors.js";

/** A pooled session as leasing needs it: whether it can still run statements. */
export interface Session {
  isUp(): boolean;
}

/** The part of a generic-pool `Pool` leasing uses (the driver's `createPool` returns one). */
export interface SessionPool<S extends Session> {
  acquire(): PromiseLike<S>;
  release(session: S): PromiseLike<void>;
  destroy(session: S): PromiseLike<void>;
  readonly borrowed: number;
  readonly max: number;
}

/** How lease failures are described. */
export interface LeaseContext {
  /** The endpoint, named when no session can be opened. */
  readonly url: string;
  /** Turns a login failure into the error the caller sees. */
  readonly loginError: (err: unknown) => Error;
}

/**
 * Takes a session from the pool by `deadline` (epoch ms). A session that went down while idle
 * (its session expired for good) is destroyed and another taken. Past the deadline the
 * caller gets a clear error — "busy" when every session was lent out, "unreachable" when none
 * could be opened — and a session that arrives late goes straight back to the pool.
 */
export async function leaseSession<S extends Session>(
  pool: SessionPool<S>,
  deadline: number,
  what: string,
  context: LeaseContext,
): Promise<S> {
  const started = Date.now();
  const timedOut = () => {
    const waited = Date.now() - started;
    if (pool.borrowed >= pool.max) {
      return snowflakeUnavailable(
        "busy",
        `all ${pool.max} Snowflake sessions stayed busy for ${waited} ms while ${what}`,
      );
    }
    return snowflakeUnavailable(
      "unreachable",
      `cannot reach Snowflake at ${context.url}: no session could be opened within ${waited} ms`,
    );
  };
  for (let attempt = 0; ; attempt++) {
    const pending = Promise.resolve(pool.acquire());
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<"expired">((resolve) => {
      timer = setTimeout(() => resolve("expired"), Math.max(0, deadline - Date.now()));
    });
    let session: S | "expired";
    try {
      session = await Promise.race([pending, expired]);
    } catch (err) {
      if (err instanceof Error && err.name === "TimeoutError") throw timedOut();
      throw context.loginError(err);
    } finally {
      clearTimeout(timer);
    }
    if (session === "expired") {
      pending.then(
        (late) => pool.release(late),
        () => undefined,
      );
      throw timedOut();
    }
    if (session.isUp() || attempt >= 2) return session;
    await pool.destroy(session);
  }
}

/**
 * Returns a session to the pool, or destroys it when it broke (a fatal error, a session that
 * is down), so the next lease never gets a dead one.
 */
export async function returnSession<S extends Session>(
  pool: SessionPool<S>,
  session: S,
  broken: boolean,
): Promise<void> {
  try {
    if (broken || !session.isUp()) await pool.destroy(session);
    else await pool.release(session);
  } catch {
    // the pool no longer knows this session (it was destroyed meanwhile): nothing to return
  }
}

/**
 * Sessions: the tokens a login hands out, their lifetimes, renewal with the master token,
 * and the per-session names (database, schema, …) that `USE` changes.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import type { OpenTransaction } from "./transactions.js";

/** One logged-in session. */
export interface Session {
  readonly id: number;
  readonly user: string;
  sessionToken: string;
  readonly masterToken: string;
  sessionExpiresAt: number;
  readonly masterExpiresAt: number;
  /** Set by the expiry fault: the next use answers 390112 until renewed. */
  expired: boolean;
  database: string;
  schema: string;
  warehouse: string;
  role: string;
  /** The login asked for `JS_TREAT_INTEGER_AS_BIGINT`; results echo it. */
  readonly jsTreatIntegerAsBigInt: boolean;
  /** The session's open transaction, between BEGIN and COMMIT or ROLLBACK. */
  transaction?: OpenTransaction | undefined;
}

/** Why a token was not accepted, as a Snowflake error code and message. */
export interface TokenProblem {
  readonly code: "390112" | "390111" | "390114" | "390104";
  readonly message: string;
}

/** The result of looking a session up by token. */
export type SessionLookup = { readonly session: Session } | { readonly problem: TokenProblem };

const EXPIRED: TokenProblem = {
  code: "390112",
  message: "Your session has expired. Please login again.",
};
const GONE: TokenProblem = {
  code: "390111",
  message: "Session no longer exists.  New login required to access the service.",
};
const MASTER_EXPIRED: TokenProblem = {
  code: "390114",
  message: "Authentication token has expired.  The user must authenticate again.",
};

const newToken = (prefix: string): string => `${prefix}-${randomBytes(24).toString("base64url")}`;

/** What a session starts with. */
export interface NewSession {
  readonly user: string;
  readonly database: string;
  readonly schema: string;
  readonly warehouse: string;
  readonly role: string;
  readonly jsTreatIntegerAsBigInt: boolean;
}

/** All sessions, by session token and by master token. */
export class SessionStore {
  private readonly bySessionToken = new Map<string, Session>();
  private readonly byMasterToken = new Map<string, Session>();
  private nextId = 1_172_562_260_498;

  /**
   * @param sessionValidityMs lifetime of a session token
   * @param masterValidityMs lifetime of a master token
   */
  constructor(
    private readonly sessionValidityMs: number,
    private readonly masterValidityMs: number,
  ) {}

  /** Creates a session after a successful login. */
  create(init: NewSession): Session {
    const now = Date.now();
    const session: Session = {
      id: this.nextId++,
      ...init,
      sessionToken: newToken("ST"),
      masterToken: newToken("MT"),
      sessionExpiresAt: now + this.sessionValidityMs,
      masterExpiresAt: now + this.masterValidityMs,
      expired: false,
    };
    this.bySessionToken.set(session.sessionToken, session);
    this.byMasterToken.set(session.masterToken, session);
    return session;
  }

  /** Finds the session of a session token, or says why there is none. */
  lookup(token: string | undefined): SessionLookup {
    const session = token === undefined ? undefined : this.bySessionToken.get(token);
    if (session === undefined) return { problem: GONE };
    if (session.expired || Date.now() >= session.sessionExpiresAt) return { problem: EXPIRED };
    return { session };
  }

  /** Finds a session by token even when expired (session close accepts expired tokens). */
  find(token: string | undefined): Session | undefined {
    return token === undefined ? undefined : this.bySessionToken.get(token);
  }

  /** Marks a session expired: its next request answers 390112. */
  expire(session: Session): void {
    session.expired = true;
  }

  /**
   * Issues a new session token for `oldSessionToken`, authorised by `masterToken`.
   * Returns the session or the problem (390114 master expired, 390111 unknown).
   */
  renew(masterToken: string | undefined, oldSessionToken: string | undefined): SessionLookup {
    const session = masterToken === undefined ? undefined : this.byMasterToken.get(masterToken);
    if (session === undefined) return { problem: GONE };
    if (Date.now() >= session.masterExpiresAt) return { problem: MASTER_EXPIRED };
    if (oldSessionToken !== undefined && oldSessionToken !== session.sessionToken)
      return { problem: GONE };
    this.bySessionToken.delete(session.sessionToken);
    session.sessionToken = newToken("ST");
    session.sessionExpiresAt = Date.now() + this.sessionValidityMs;
    session.expired = false;
    this.bySessionToken.set(session.sessionToken, session);
    return { session };
  }

  /** Removes a session (logout), rolling back its open transaction. */
  delete(session: Session): void {
    this.bySessionToken.delete(session.sessionToken);
    this.byMasterToken.delete(session.masterToken);
    const open = session.transaction;
    session.transaction = undefined;
    void open?.end(false).catch(() => undefined);
  }

  /** Lifetimes in seconds, for login and renewal replies. */
  validitySeconds(): { session: number; master: number } {
    return {
      session: Math.round(this.sessionValidityMs / 1000),
      master: Math.round(this.masterValidityMs / 1000),
    };
  }

  /** Number of live sessions. */
  size(): number {
    return this.bySessionToken.size;
  }
}

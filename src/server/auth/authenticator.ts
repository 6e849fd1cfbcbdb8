import type { Logger } from "pino";
import type { JwtConfig } from "../../config.js";
import { ApiKeys } from "./api-keys.js";
import { JwtVerifier } from "./jwt-verify.js";
import type { Principal } from "./roles.js";

/** What the caller's `Authorization` header proved. Reasons never repeat the credential. */
export type AuthOutcome =
  | { readonly kind: "open" }
  | { readonly kind: "ok"; readonly principal: Principal }
  | { readonly kind: "missing" }
  | { readonly kind: "refused"; readonly reason: string };

/** Where credentials come from; both unset = the service runs open. */
export interface AuthSettings {
  readonly apiKeysFile: string | undefined;
  readonly jwt: JwtConfig | undefined;
}

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/**
 * Turns an `Authorization: Bearer …` header into a {@link Principal}: an API key from
 * `API_KEYS_FILE` first, then, when `JWT_JWKS_FILE` is set, a JWT. One object serves the RPC
 * interceptor and the `/metrics` route, so both accept exactly the same credentials, and one
 * `reload()` (SIGHUP) refreshes both sources.
 */
export class Authenticator {
  private constructor(
    private readonly keys: ApiKeys | undefined,
    private readonly jwt: JwtVerifier | undefined,
  ) {}

  /**
   * Loads the configured sources (a bad file stops start-up with a ConfigError) and, when
   * none is configured, logs once, loudly, that every RPC is open to anyone who can connect.
   */
  static async create(settings: AuthSettings, log: Logger): Promise<Authenticator> {
    const keys =
      settings.apiKeysFile === undefined ? undefined : await ApiKeys.load(settings.apiKeysFile);
    const jwt = settings.jwt === undefined ? undefined : await JwtVerifier.load(settings.jwt);
    const auth = new Authenticator(keys, jwt);
    if (!auth.enabled) {
      log.warn(
        { security: "open" },
        "AUTHENTICATION IS OFF: no API_KEYS_FILE or JWT_JWKS_FILE is set, so every RPC and /metrics answer anyone who can reach the port. See README, Security.",
      );
    } else {
      log.info({ apiKeys: keys?.size ?? 0, jwtKeys: jwt?.size ?? 0 }, "authentication is on");
      if (keys?.size === 0 && jwt === undefined) {
        log.warn("API_KEYS_FILE holds no key: every call but health and reflection is refused");
      }
    }
    return auth;
  }

  /** Whether credentials are required (some source is configured). */
  get enabled(): boolean {
    return this.keys !== undefined || this.jwt !== undefined;
  }

  /** Checks an `Authorization` header value. */
  check(authorization: string | null | undefined): AuthOutcome {
    if (!this.enabled) return { kind: "open" };
    if (authorization === null || authorization === undefined || authorization === "") {
      return { kind: "missing" };
    }
    const token = BEARER.exec(authorization)?.[1];
    if (token === undefined) {
      return { kind: "refused", reason: "the Authorization header is not a Bearer credential" };
    }
    const principal = this.keys?.verify(token);
    if (principal !== undefined) return { kind: "ok", principal };
    if (this.jwt !== undefined && token.split(".").length === 3) {
      const result = this.jwt.verify(token);
      if (result.ok) return { kind: "ok", principal: result.principal };
      return { kind: "refused", reason: `the bearer token was refused: ${result.reason}` };
    }
    return {
      kind: "refused",
      reason:
        this.jwt === undefined
          ? "the bearer credential is not a known API key"
          : "the bearer credential is not a known API key or a JWT",
    };
  }

  /**
   * Re-reads every configured file (on SIGHUP). Each source that fails keeps what it had, and
   * the reason is logged; the others still reload. Resolves with whether all succeeded.
   */
  async reload(log: Logger): Promise<boolean> {
    let allGood = true;
    for (const [what, source] of [
      ["API keys", this.keys],
      ["JWKS", this.jwt],
    ] as const) {
      if (source === undefined) continue;
      try {
        const count = await source.reload();
        log.info({ what, count }, "credentials reloaded");
      } catch (err) {
        allGood = false;
        const message = err instanceof Error ? err.message : String(err);
        log.error({ what, err: message }, "credentials reload failed; the previous ones stay");
      }
    }
    return allGood;
  }
}

/**
 * Session endpoints: login (password or key-pair JWT), token renewal, heartbeat, session
 * close, and the telemetry sink the driver posts to after login.
 *
 * @module
 */
import { createPublicKey, verify } from "node:crypto";
import type { RequestContext } from "./context.js";
import { asRecord, asString, parseJsonBody, sendJson, snowflakeToken } from "./http-util.js";
import { resultParameters } from "./result-encoding.js";
import type { Session } from "./session-store.js";

/** The reply Snowflake gives for a wrong user or password (HTTP 200, code "390100"). */
export const WRONG_PASSWORD_REPLY = {
  success: false,
  code: "390100",
  message: "Incorrect username or password was specified.",
  data: { nextAction: "RETRY_LOGIN", authnMethod: "PASSWORD", signInOptions: {} },
  headers: null,
} as const;

const OK_EMPTY = { success: true, code: null, message: null, data: null } as const;

const loginParameters = () => [
  ...resultParameters(false),
  { name: "QUERY_CONTEXT_CACHE_SIZE", value: 5 },
  { name: "CLIENT_SESSION_KEEP_ALIVE", value: false },
  { name: "CLIENT_SESSION_KEEP_ALIVE_HEARTBEAT_FREQUENCY", value: 3600 },
  { name: "CLIENT_PREFETCH_THREADS", value: 4 },
];

/**
 * Checks a key-pair JWT: `sub` must be `ACCOUNT.USER` for the configured user and, when
 * public keys are configured, the RS256 signature must verify with one of them.
 */
export function verifyJwt(token: string, user: string, publicKeysPem: readonly string[]): boolean {
  const [header, payload, signature] = token.split(".");
  if (header === undefined || payload === undefined || signature === undefined) return false;
  let claims: Record<string, unknown> | undefined;
  try {
    claims = asRecord(JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as unknown);
  } catch {
    return false;
  }
  const subject = asString(claims?.sub);
  if (subject === undefined || subject.split(".").at(-1)?.toUpperCase() !== user.toUpperCase())
    return false;
  if (publicKeysPem.length === 0) return true;
  const data = Buffer.from(`${header}.${payload}`);
  const sig = Buffer.from(signature, "base64url");
  return publicKeysPem.some((pem) => {
    try {
      return verify("RSA-SHA256", data, createPublicKey(pem), sig);
    } catch {
      return false;
    }
  });
}

/** `POST /session/v1/login-request`. */
export function handleLogin(ctx: RequestContext): void {
  const { emulator, url, res } = ctx;
  const { options, stats, faults } = emulator;
  const data = asRecord(asRecord(parseJsonBody(ctx.body))?.data) ?? {};
  const loginName = asString(data.LOGIN_NAME) ?? "";
  const authenticator = (asString(data.AUTHENTICATOR) ?? "SNOWFLAKE").toUpperCase();
  const userOk = loginName.toUpperCase() === options.user.toUpperCase();
  let credentialsOk: boolean;
  if (authenticator === "SNOWFLAKE_JWT") {
    credentialsOk =
      userOk && verifyJwt(asString(data.TOKEN) ?? "", options.user, options.publicKeysPem);
  } else {
    credentialsOk = userOk && asString(data.PASSWORD) === options.password;
  }
  if (faults.takeLoginRejection() || !credentialsOk) {
    stats.logins.failed += 1;
    emulator.options.log(`login refused for ${JSON.stringify(loginName)}`);
    if (authenticator === "SNOWFLAKE_JWT" && userOk) {
      sendJson(res, 200, {
        success: false,
        code: "390144",
        message: "JWT token is invalid.",
        data: null,
        headers: null,
      });
      return;
    }
    sendJson(res, 200, WRONG_PASSWORD_REPLY);
    return;
  }
  const sessionParameters = asRecord(data.SESSION_PARAMETERS) ?? {};
  const pick = (name: string, fallback: string): string =>
    (url.searchParams.get(name) ?? fallback).toUpperCase();
  const session = emulator.sessions.create({
    user: loginName,
    database: pick("databaseName", options.database),
    schema: pick("schemaName", options.schema),
    warehouse: pick("warehouse", options.warehouse),
    role: pick("roleName", options.role),
    jsTreatIntegerAsBigInt: sessionParameters.JS_TREAT_INTEGER_AS_BIGINT === true,
  });
  stats.logins.succeeded += 1;
  const validity = emulator.sessions.validitySeconds();
  sendJson(res, 200, {
    success: true,
    code: null,
    message: null,
    data: {
      token: session.sessionToken,
      validityInSeconds: validity.session,
      masterToken: session.masterToken,
      masterValidityInSeconds: validity.master,
      sessionId: session.id,
      parameters: loginParameters(),
      sessionInfo: sessionInfo(session),
      displayUserName: session.user.toUpperCase(),
      serverVersion: "9.0.0-emulator",
      firstLogin: false,
    },
  });
}

/** The `sessionInfo` object of login replies. */
export function sessionInfo(session: Session): Record<string, string> {
  return {
    databaseName: session.database,
    schemaName: session.schema,
    warehouseName: session.warehouse,
    roleName: session.role,
  };
}

/** `POST /session/token-request` (renewal with the master token). */
export function handleTokenRequest(ctx: RequestContext): void {
  const { emulator, res } = ctx;
  const body = asRecord(parseJsonBody(ctx.body)) ?? {};
  const found = emulator.sessions.renew(snowflakeToken(ctx.req), asString(body.oldSessionToken));
  if ("problem" in found) {
    sendJson(res, 200, {
      success: false,
      code: found.problem.code,
      message: found.problem.message,
      data: null,
      headers: null,
    });
    return;
  }
  emulator.stats.tokenRenewals += 1;
  const validity = emulator.sessions.validitySeconds();
  sendJson(res, 200, {
    success: true,
    code: null,
    message: null,
    data: {
      sessionToken: found.session.sessionToken,
      validityInSecondsST: validity.session,
      masterToken: found.session.masterToken,
      validityInSecondsMT: validity.master,
      sessionId: found.session.id,
    },
  });
}

/** `POST /session/heartbeat`. */
export function handleHeartbeat(ctx: RequestContext): void {
  const found = ctx.emulator.sessions.lookup(snowflakeToken(ctx.req));
  if ("problem" in found) {
    sendJson(ctx.res, 200, {
      success: false,
      code: found.problem.code,
      message: found.problem.message,
      data: null,
    });
    return;
  }
  ctx.emulator.stats.heartbeats += 1;
  sendJson(ctx.res, 200, { ...OK_EMPTY, data: {} });
}

/** `POST /session?delete=true` (connection.destroy). Unknown tokens answer 390111. */
export function handleSessionDelete(ctx: RequestContext): void {
  const session = ctx.emulator.sessions.find(snowflakeToken(ctx.req));
  if (session === undefined) {
    sendJson(ctx.res, 200, {
      success: false,
      code: "390111",
      message: "Session no longer exists.  New login required to access the service.",
      data: null,
    });
    return;
  }
  ctx.emulator.sessions.delete(session);
  ctx.emulator.stages.endSession(session.id);
  ctx.emulator.stats.sessionsClosed += 1;
  sendJson(ctx.res, 200, OK_EMPTY);
}

/** `POST /telemetry/send`: accepted and ignored. */
export function handleTelemetry(ctx: RequestContext): void {
  sendJson(ctx.res, 200, { success: true, code: null, message: null, data: "Log Received" });
}

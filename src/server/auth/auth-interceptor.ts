import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Authenticator } from "./authenticator.js";
import { allows, kPrincipal, requiredRole } from "./roles.js";

/**
 * Refuses every call to a non-public service without an accepted credential
 * (UNAUTHENTICATED), and every admin procedure called by a reader (PERMISSION_DENIED); puts the
 * caller in {@link kPrincipal} for the handlers and the log line. It sits inside the observe
 * interceptor, so refusals are logged and counted like any other outcome, and before
 * validation, so an unauthenticated caller learns nothing about the request rules.
 */
export function authInterceptor(auth: Authenticator): Interceptor {
  return (next) => async (req) => {
    const needed = requiredRole(req.method);
    if (needed === undefined) return next(req);
    const outcome = auth.check(req.header.get("authorization"));
    switch (outcome.kind) {
      case "open":
        return next(req);
      case "missing":
        throw new ConnectError(
          "this call needs credentials; send the header Authorization with Bearer and an API key or token",
          Code.Unauthenticated,
        );
      case "refused":
        throw new ConnectError(outcome.reason, Code.Unauthenticated);
      case "ok": {
        req.contextValues.set(kPrincipal, outcome.principal);
        if (!allows(outcome.principal.role, needed)) {
          throw new ConnectError(
            `${outcome.principal.name} has the ${outcome.principal.role} role; ${req.method.name} needs ${needed}`,
            Code.PermissionDenied,
          );
        }
        return next(req);
      }
    }
  };
}

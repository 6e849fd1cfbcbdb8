import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel as Idempotency } from "@bufbuild/protobuf/wkt";
import { createContextKey } from "@connectrpc/connect";
import { Health } from "../../../gen/grpc/health/v1/health_pb.js";
import { ServerReflection as ReflectionV1 } from "../../../gen/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ReflectionV1Alpha } from "../../../gen/grpc/reflection/v1alpha/reflection_pb.js";

/**
 * What a caller may do. `reader` covers every read and export; `writer` is a reader who may
 * also change the data (create, update and delete customers, products and holdings); `admin`
 * is a writer who may also control the service (start a sync). Three nested roles are all the
 * API needs: nothing it serves is private to one caller, so finer grants would only be
 * configuration to get wrong, while a dashboard that edits customers must not be able to
 * force syncs against Snowflake.
 */
export type Role = "reader" | "writer" | "admin";

/** The roles in the order of what they allow, for "the highest role wins". */
export const ROLES: readonly Role[] = ["reader", "writer", "admin"];

/**
 * The services whose state-changing methods change data rather than the service itself, so a
 * `writer` may call them. Any other method that is not a read (SyncService's) needs `admin`;
 * a new service is admin-only until it is listed here, so the rule fails closed.
 */
export const DATA_SERVICES: ReadonlySet<string> = new Set([
  "customeranalytics.v1.CustomerService",
  "customeranalytics.v1.ProductService",
  "customeranalytics.v1.PortfolioService",
]);

/** An authenticated caller. `name` is safe to log; no credential is ever kept here. */
export interface Principal {
  readonly name: string;
  readonly role: Role;
  /** How the caller proved who it is. */
  readonly via: "api-key" | "jwt";
}

/**
 * The authenticated caller of the current RPC, set by the auth interceptor so that handlers
 * and the log line can name who called without seeing the credential.
 */
export const kPrincipal = createContextKey<Principal | undefined>(undefined, {
  description: "the authenticated caller",
});

/**
 * Services that answer without credentials: health (probes and load balancers carry no key)
 * and reflection (the schema is public; `REFLECTION=off` removes it altogether).
 */
export const PUBLIC_SERVICES: ReadonlySet<string> = new Set([
  Health.typeName,
  ReflectionV1.typeName,
  ReflectionV1Alpha.typeName,
]);

/**
 * The role a procedure needs, or undefined when its service is public. The proto is the one
 * place that says which RPCs change state: a method declared
 * `option idempotency_level = NO_SIDE_EFFECTS` is a read (`reader`); any other method of a
 * {@link DATA_SERVICES} service is a write (`writer`); everything else needs `admin`. A new RPC
 * that forgets the option therefore needs more than a reader: it fails closed.
 */
export function requiredRole(method: DescMethod): Role | undefined {
  if (PUBLIC_SERVICES.has(method.parent.typeName)) return undefined;
  if (method.idempotency === Idempotency.NO_SIDE_EFFECTS) return "reader";
  return DATA_SERVICES.has(method.parent.typeName) ? "writer" : "admin";
}

/** Every `Service/Method` of `services` that needs `writer`, for docs, logs and tests. */
export function writerProcedures(services: readonly DescService[]): string[] {
  return services.flatMap((service) =>
    service.methods
      .filter((method) => requiredRole(method) === "writer")
      .map((method) => `${service.typeName}/${method.name}`),
  );
}

/** Every `Service/Method` of `services` that needs `admin`, for docs, logs and tests. */
export function adminProcedures(services: readonly DescService[]): string[] {
  return services.flatMap((service) =>
    service.methods
      .filter((method) => requiredRole(method) === "admin")
      .map((method) => `${service.typeName}/${method.name}`),
  );
}

/** Whether `held` includes everything `needed` allows. */
export function allows(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

/** Parses a role name; undefined when it is not one. */
export function roleOf(value: unknown): Role | undefined {
  return ROLES.find((role) => role === value);
}

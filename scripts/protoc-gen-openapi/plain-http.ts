import type { Operation } from "./operations.js";
import type { SchemaCollector } from "./schemas.js";

const TEXT = { "text/plain": { schema: { type: "string" } } };

/**
 * The plain HTTP routes the service answers beside the RPCs: the probes (open, for load
 * balancers and orchestrators that carry no credential).
 */
export function plainHttpPaths(
  _schemas: SchemaCollector,
): Record<string, Record<string, Operation>> {
  return {
    "/healthz": {
      get: {
        tags: ["http"],
        operationId: "healthz",
        summary: "Liveness",
        description: "200 `ok` while the process serves; never needs a credential.",
        security: [],
        responses: { "200": { description: "Alive.", content: TEXT } },
      },
    },
    "/readyz": {
      get: {
        tags: ["http"],
        operationId: "readyz",
        summary: "Readiness",
        description:
          "200 `ready` once a snapshot is loaded; 503 with the reason otherwise. Never needs a credential.",
        security: [],
        responses: {
          "200": { description: "Ready.", content: TEXT },
          "503": { description: "Not ready, and why.", content: TEXT },
        },
      },
    },
  };
}

import { pathToFileURL } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  Health,
  HealthCheckResponse_ServingStatus as Status,
} from "../../gen/grpc/health/v1/health_pb.js";

/** Where and how to probe; defaults match the service's own defaults. */
export interface ProbeOptions {
  readonly baseUrl: string;
  /** Overall limit for connecting and answering, in ms. */
  readonly timeoutMs?: number;
}

/**
 * Asks `grpc.health.v1.Health/Check` for the whole server ("") over gRPC, as Kubernetes'
 * native gRPC probe does, and says whether it is SERVING. Any failure (refused connection,
 * timeout, NOT_SERVING) is false: a probe must answer yes or no, never throw. Over TLS the
 * certificate is not verified: the probe talks to its own container's loopback, where the
 * certificate's names never match.
 */
export async function probeHealth(options: ProbeOptions): Promise<boolean> {
  const transport = createGrpcTransport({
    baseUrl: options.baseUrl,
    nodeOptions: { rejectUnauthorized: false },
  });
  const client = createClient(Health, transport);
  try {
    const res = await client.check({ service: "" }, { timeoutMs: options.timeoutMs ?? 3_000 });
    return res.status === Status.SERVING;
  } catch {
    return false;
  }
}

/** The probe's target from the environment the service itself reads (PORT, TLS_CERT). */
export function probeUrlFromEnv(env: NodeJS.ProcessEnv): string {
  const scheme = (env.TLS_CERT ?? "").trim() === "" ? "http" : "https";
  const port = (env.PORT ?? "").trim() === "" ? "8080" : (env.PORT ?? "").trim();
  return `${scheme}://127.0.0.1:${port}`;
}

// `node --import tsx src/server/healthcheck.ts`: Docker's HEALTHCHECK. Exits 0 when SERVING.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const healthy = await probeHealth({ baseUrl: probeUrlFromEnv(process.env) });
  process.stdout.write(healthy ? "SERVING\n" : "not serving\n");
  process.exit(healthy ? 0 : 1);
}

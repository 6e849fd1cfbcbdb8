/**
 * The framework floor's server, run by the benchmark as its own process (`node --import tsx
 * test/bench/bare-connect-server.ts`): connect-node's adapter on a plain h2c server with only
 * grpc.health.v1 Check registered, answering SERVING. No interceptors, request-body guard, HTTP
 * routes, logging or metrics: the gap between it and the service's HealthCheck is what the
 * service adds per call, and the gap between it and BareHttp2 is what Connect itself costs.
 * Prints `{"event":"listening","url":...}` on stdout once it listens on 127.0.0.1.
 *
 * @module
 */
import { createServer } from "node:http2";
import type { AddressInfo } from "node:net";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";

const handler = connectNodeAdapter({
  routes: (router) =>
    router.service(Health, {
      check: () => ({ status: HealthCheckResponse_ServingStatus.SERVING }),
    }),
});

const server = createServer(handler);
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(
    `${JSON.stringify({ event: "listening", url: `http://127.0.0.1:${port}` })}\n`,
  );
});

import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { createValidateInterceptor } from "@connectrpc/validate";
import type { Logger } from "pino";
import { CustomerService } from "../../gen/customeranalytics/v1/customer_pb.js";
import { PortfolioService } from "../../gen/customeranalytics/v1/portfolio_pb.js";
import { ProductService } from "../../gen/customeranalytics/v1/product_pb.js";
import { SyncService } from "../../gen/customeranalytics/v1/sync_pb.js";
import {
  Health,
  HealthCheckResponse_ServingStatus as Status,
} from "../../gen/grpc/health/v1/health_pb.js";
import { customerService } from "../api/customer-service.js";
import { portfolioService } from "../api/portfolio-service.js";
import { productService } from "../api/product-service.js";
import { type SyncView, syncService } from "../api/sync-service.js";
import type { ReadRouter } from "../query/read-router.js";
import { HealthStatus, registerHealth } from "./health.js";
import { withHttpRoutes } from "./http-routes.js";
import { deadlineInterceptor, observeInterceptor } from "./interceptors.js";
import { type Listener, listenH2cAndHttp1 } from "./listen.js";
import { registerReflection } from "./reflection.js";

/** What the server needs from the layers below it. */
export interface ServerDeps {
  readonly log: Logger;
  readonly router: ReadRouter;
  readonly sync: SyncView;
  readonly port: number;
  readonly host: string;
  readonly corsOrigins: readonly string[];
  readonly defaultDeadlineMs: number;
  readonly maxRequestBytes: number;
}

/** The running server: its port, its health, and an orderly way to stop it. */
export interface Server {
  readonly port: number;
  readonly health: HealthStatus;
  /** Marks the server ready (a snapshot is loaded) or not. */
  setReady(ready: boolean, reason?: string): void;
  /** Goes NOT_SERVING, lets in-flight calls finish for `graceMs`, then closes everything. */
  close(graceMs: number): Promise<void>;
}

/** The customer-analytics services, as registered, reflected and health-checked. */
export const SERVICES: readonly DescService[] = [
  CustomerService,
  ProductService,
  PortfolioService,
  SyncService,
];

/**
 * Builds the router (every service, health, reflection), the interceptor chain (observe →
 * deadline → validate, outermost first) and the HTTP routes, and listens on one port.
 */
export async function startServer(deps: ServerDeps): Promise<Server> {
  const health = new HealthStatus(SERVICES.map((s) => s.typeName));
  let ready = false;
  let reason = "no snapshot is loaded yet";
  const shutdown = new AbortController();
  const routes = (router: ConnectRouter) => {
    router.service(CustomerService, customerService(deps.router));
    router.service(ProductService, productService(deps.router));
    router.service(PortfolioService, portfolioService(deps.router));
    router.service(SyncService, syncService(deps.sync));
    registerHealth(router, health);
    registerReflection(router, [...SERVICES, Health]);
  };
  const rpc = connectNodeAdapter({
    routes,
    interceptors: [
      observeInterceptor(deps.log),
      deadlineInterceptor(deps.defaultDeadlineMs),
      createValidateInterceptor(),
    ],
    readMaxBytes: deps.maxRequestBytes,
    shutdownSignal: shutdown.signal,
  });
  const handler = withHttpRoutes(
    rpc,
    { ready: () => ready, notReadyReason: () => reason },
    deps.corsOrigins,
  );
  const listener: Listener = await listenH2cAndHttp1(handler, deps.port, deps.host);
  deps.log.info({ port: listener.port }, "listening (gRPC, gRPC-Web and Connect on one port)");
  return {
    port: listener.port,
    health,
    setReady(value, why) {
      ready = value;
      reason = why ?? (value ? "" : "not ready");
      health.setAll(value ? Status.SERVING : Status.NOT_SERVING);
    },
    async close(graceMs) {
      ready = false;
      reason = "shutting down";
      health.setAll(Status.NOT_SERVING);
      await new Promise((resolve) => setTimeout(resolve, 100));
      health.close();
      const streamsEnd = setTimeout(() => shutdown.abort(), graceMs);
      await listener.close(graceMs + 1000);
      clearTimeout(streamsEnd);
      shutdown.abort();
    },
  };
}

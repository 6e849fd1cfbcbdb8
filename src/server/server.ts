import type { DescService } from "@bufbuild/protobuf";
import {
  type ConnectRouter,
  createClient,
  createRouterTransport,
  type Interceptor,
} from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { createValidateInterceptor } from "@connectrpc/validate";
import type { Logger } from "pino";
import { CrossSellService } from "../../gen/customeranalytics/v1/cross_sell_pb.js";
import { CustomerService } from "../../gen/customeranalytics/v1/customer_pb.js";
import { ExploreService } from "../../gen/customeranalytics/v1/explore_pb.js";
import { ExportService } from "../../gen/customeranalytics/v1/export_pb.js";
import { PortfolioService } from "../../gen/customeranalytics/v1/portfolio_pb.js";
import { ProductService } from "../../gen/customeranalytics/v1/product_pb.js";
import { SegmentationService } from "../../gen/customeranalytics/v1/segmentation_pb.js";
import { SyncService } from "../../gen/customeranalytics/v1/sync_pb.js";
import { TrendService } from "../../gen/customeranalytics/v1/trend_pb.js";
import { ValueService } from "../../gen/customeranalytics/v1/value_pb.js";
import {
  Health,
  HealthCheckResponse_ServingStatus as Status,
} from "../../gen/grpc/health/v1/health_pb.js";
import { crossSellService } from "../api/cross-sell-service.js";
import { customerService } from "../api/customer-service.js";
import { exploreService } from "../api/explore-service.js";
import { type ExportView, exportService } from "../api/export-service.js";
import { portfolioService } from "../api/portfolio-service.js";
import { productService } from "../api/product-service.js";
import { segmentationService } from "../api/segmentation-service.js";
import { type SyncView, syncService } from "../api/sync-service.js";
import { trendService } from "../api/trend-service.js";
import { valueService } from "../api/value-service.js";
import { ConfigError } from "../config.js";
import type { ReadRouter } from "../query/read-router.js";
import { withApiDocs } from "./api-docs.js";
import { authInterceptor } from "./auth/auth-interceptor.js";
import type { Authenticator } from "./auth/authenticator.js";
import { callContextValues, callerOf, endCall } from "./call-context.js";
import { type ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from "./connection-core.js";
import { type ExportDownloads, withExportDownloads } from "./export-downloads.js";
import { refuseGrpcWebText } from "./grpc-web-text.js";
import { HealthStatus, registerHealth } from "./health.js";
import { withHttpRoutes } from "./http-routes.js";
import { deadlineInterceptor, observeInterceptor } from "./interceptors.js";
import { type Handler, type Listener, type ListenOptions, listenH2cAndHttp1 } from "./listen.js";
import { listenTls, type TlsFiles } from "./listen-tls.js";
import type { Metrics } from "./metrics.js";
import { registerReflection } from "./reflection.js";
import { guardRequestBodies } from "./request-body-guard.js";
import { explainRefusals, unknownRoute } from "./unroutable.js";
import { withDashboard } from "./web-assets.js";

/** What the server needs from the layers below it. */
export interface ServerDeps {
  readonly log: Logger;
  readonly router: ReadRouter;
  readonly sync: SyncView;
  /** What ExportService writes files from, and its limits. */
  readonly exports: ExportView;
  /** The built dashboard; defaults to `data/web/` at the top of the project. */
  readonly webDir?: string;
  readonly port: number;
  readonly host: string;
  readonly corsOrigins: readonly string[];
  readonly defaultDeadlineMs: number;
  readonly maxRequestBytes: number;
  /** Who may call; absent (or with no source configured) = every RPC is open. */
  readonly auth?: Authenticator;
  /** Counted by the observe interceptor and served at `GET /metrics`. */
  readonly metrics?: Metrics;
  /** Certificate and key: TLS with ALPN (h2 + HTTP/1.1) instead of plaintext h2c sniffing. */
  readonly tls?: TlsFiles;
  /** Whether gRPC reflection is served (default true; `REFLECTION=off`). */
  readonly reflection?: boolean;
  /** Connection timeouts and caps; the documented defaults when absent. */
  readonly limits?: ConnectionLimits;
}

/** The running server: its port, its health, and an orderly way to stop it. */
export interface Server {
  readonly port: number;
  readonly health: HealthStatus;
  /** Marks the server ready (a snapshot is loaded) or not; `reason` is shown by /readyz either way. */
  setReady(ready: boolean, reason?: string): void;
  /** Goes NOT_SERVING, lets in-flight calls finish for `graceMs`, then closes everything. */
  close(graceMs: number): Promise<void>;
}

/** The customer-analytics services, as registered, reflected and health-checked. */
export const SERVICES: readonly DescService[] = [
  CustomerService,
  ProductService,
  PortfolioService,
  CrossSellService,
  SegmentationService,
  TrendService,
  ExploreService,
  ValueService,
  ExportService,
  SyncService,
];

/**
 * Builds the router (every service, health, reflection; each route's request body guarded, see
 * {@link guardRequestBodies}; a refused content type, HTTP method or unknown path answered with
 * a body that says what is accepted, see unroutable.ts), the interceptor chain (observe → auth → deadline →
 * validate, outermost first) and the HTTP routes, and listens on one port
 * (TLS when a certificate is given, plaintext h2c + HTTP/1.1 otherwise).
 */
export async function startServer(deps: ServerDeps): Promise<Server> {
  const health = new HealthStatus(SERVICES.map((s) => s.typeName));
  let ready = false;
  let reason = "no snapshot is loaded yet";
  const shutdown = new AbortController();
  let served: DescService[] = [];
  const routes = (router: ConnectRouter) => {
    router.service(CustomerService, customerService(deps.router));
    router.service(ProductService, productService(deps.router));
    router.service(PortfolioService, portfolioService(deps.router));
    router.service(CrossSellService, crossSellService(deps.router));
    router.service(SegmentationService, segmentationService(deps.router));
    router.service(TrendService, trendService(deps.router));
    router.service(ExploreService, exploreService(deps.router));
    router.service(ValueService, valueService(deps.router));
    router.service(
      ExportService,
      exportService({
        ...deps.exports,
        callerOf,
        endCall,
        onRefused: (limit) => deps.metrics?.refused(limit),
      }),
    );
    router.service(SyncService, syncService(deps.sync));
    registerHealth(router, health);
    if (deps.reflection !== false) registerReflection(router, [...SERVICES, Health]);
    guardRequestBodies(router, {
      readMaxBytes: deps.maxRequestBytes,
      defaultDeadlineMs: deps.defaultDeadlineMs,
    });
    explainRefusals(router);
    served = [...new Set(router.handlers.map((h) => h.service))];
  };
  const interceptors = [
    observeInterceptor(deps.log, deps.metrics),
    ...(deps.auth === undefined ? [] : [authInterceptor(deps.auth)]),
    deadlineInterceptor(deps.defaultDeadlineMs),
    createValidateInterceptor(),
  ];
  const rpc = connectNodeAdapter({
    routes,
    interceptors,
    readMaxBytes: deps.maxRequestBytes,
    // A typo in a field or enum name is an error, not an empty field (connect-es ignores both
    // by default); the request body guard words the refusal first.
    jsonOptions: { ignoreUnknownFields: false },
    shutdownSignal: shutdown.signal,
    fallback: unknownRoute(() => served),
    contextValues: callContextValues,
  });
  const downloads = exportDownloads(deps, interceptors);
  const handler = withHttpRoutes(
    withDashboard(
      withApiDocs(withExportDownloads(refuseGrpcWebText(rpc), downloads), {
        authOn: deps.auth?.enabled === true,
      }),
      deps.webDir,
    ),
    {
      ready: () => ready,
      notReadyReason: () => reason,
      ...(deps.metrics === undefined ? {} : { metrics: metricsRoute(deps.metrics, deps.auth) }),
    },
    deps.corsOrigins,
  );
  const listener = await listenOrExplain(deps, handler);
  deps.log.info(
    { port: listener.port, tls: deps.tls !== undefined },
    "listening (gRPC, gRPC-Web and Connect on one port)",
  );
  const urls = serviceUrls(deps.host, listener.port, deps.tls !== undefined);
  let announced = false;
  return {
    port: listener.port,
    health,
    setReady(value, why) {
      if (value && !announced) {
        announced = true;
        deps.log.info(urls, "ready");
      }
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

/**
 * Listens as configured; a port another process holds is a deployment mistake, not a fault, so
 * it stops start-up with one line naming PORT (main exits 2 on a {@link ConfigError}) instead
 * of an uncaught EADDRINUSE stack.
 */
async function listenOrExplain(deps: ServerDeps, handler: Handler): Promise<Listener> {
  const options = listenOptions(deps);
  try {
    return deps.tls === undefined
      ? await listenH2cAndHttp1(handler, deps.port, deps.host, options)
      : await listenTls(handler, deps.port, deps.host, deps.tls, options);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      throw new ConfigError(
        `PORT ${deps.port} is in use on ${deps.host}: stop the process holding it or set PORT`,
      );
    }
    if (code === "EACCES" || code === "EADDRNOTAVAIL") {
      throw new ConfigError(`PORT ${deps.port} on HOST ${deps.host} cannot be bound (${code})`);
    }
    throw err;
  }
}

/**
 * Where a person reaches the service, for the "ready" log line: a wildcard host is shown as
 * localhost, since that is the address one types on the machine itself.
 */
function serviceUrls(
  host: string,
  port: number,
  tls: boolean,
): { api: string; dashboard: string; docs: string } {
  const shown = host === "0.0.0.0" || host === "::" || host === "" ? "localhost" : host;
  const base = `${tls ? "https" : "http"}://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
  return { api: base, dashboard: `${base}/`, docs: `${base}/docs` };
}

/** How often, at most, a refused connection is logged: a flood must not flood the log too. */
const REFUSED_LOG_EVERY_MS = 10_000;

/** The listener's limits, with a refusal counted in the metrics and logged (at most every 10 s). */
function listenOptions(deps: ServerDeps): ListenOptions {
  const limits = deps.limits ?? DEFAULT_CONNECTION_LIMITS;
  let lastLogged = Number.NEGATIVE_INFINITY;
  let since = 0;
  return {
    limits,
    onRefused(open, limit) {
      deps.metrics?.refused("MAX_CONNECTIONS");
      since++;
      const now = performance.now();
      if (now - lastLogged < REFUSED_LOG_EVERY_MS) return;
      deps.log.warn(
        { open, limit, refused: since },
        "connection refused: MAX_CONNECTIONS open connections reached",
      );
      lastLogged = now;
      since = 0;
    },
  };
}

/**
 * The download route's ExportService: the same implementation behind the same interceptors,
 * reached in process, so a download and an ExportTable call cannot drift apart.
 */
function exportDownloads(deps: ServerDeps, interceptors: Interceptor[]): ExportDownloads {
  const transport = createRouterTransport(
    (router) => router.service(ExportService, exportService(deps.exports)),
    { router: { interceptors } },
  );
  return {
    client: createClient(ExportService, transport),
    liveSnapshotId: () => deps.sync.store.live?.id,
    authorize: (header) => deps.auth?.check(header) ?? { kind: "open" },
  };
}

/** `/metrics` renders the registry; with auth on, any accepted credential may read it. */
function metricsRoute(metrics: Metrics, auth: Authenticator | undefined) {
  return {
    render: () => metrics.render(),
    authorize: (header: string | undefined) => auth?.check(header) ?? { kind: "open" as const },
  };
}

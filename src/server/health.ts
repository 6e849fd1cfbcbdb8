import { EventEmitter, on } from "node:events";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import {
  Health,
  HealthCheckResponse_ServingStatus as Status,
} from "../../gen/grpc/health/v1/health_pb.js";

/**
 * The serving status of the server and each service, as grpc.health.v1 reports it to load
 * balancers, Kubernetes probes and people. No connect-es package provides health checking,
 * so this is the small state machine the protocol asks for: a status map and change events.
 */
export class HealthStatus {
  readonly #statuses = new Map<string, Status>();
  readonly #events = new EventEmitter();
  readonly #closed = new AbortController();

  constructor(services: readonly string[]) {
    for (const name of ["", ...services]) this.#statuses.set(name, Status.NOT_SERVING);
    this.#events.setMaxListeners(0);
  }

  /** Sets every service (and the server as a whole, "") to `status`. */
  setAll(status: Status): void {
    for (const name of this.#statuses.keys()) {
      if (this.#statuses.get(name) === status) continue;
      this.#statuses.set(name, status);
      this.#events.emit("change", name, status);
    }
  }

  /** The status of one service, or undefined when the server does not know it. */
  get(service: string): Status | undefined {
    return this.#statuses.get(service);
  }

  /** Every known service with its status. */
  entries(): [string, Status][] {
    return [...this.#statuses.entries()];
  }

  /** Ends every Watch stream (at shutdown, once watchers have been sent NOT_SERVING). */
  close(): void {
    this.#closed.abort();
  }

  /**
   * Yields the current status, then each change, until `signal` aborts. It subscribes before
   * the first yield so that a change right after it is not lost.
   */
  async *watch(callSignal: AbortSignal, service: string): AsyncGenerator<Status> {
    const signal = AbortSignal.any([callSignal, this.#closed.signal]);
    const changes = on(this.#events, "change", { signal });
    let last = this.get(service) ?? Status.SERVICE_UNKNOWN;
    yield last;
    try {
      for await (const [name, status] of changes) {
        if (name === service && status !== last) {
          last = status as Status;
          yield last;
        }
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }
}

/** Serves grpc.health.v1.Health (Check, Watch, List) from a {@link HealthStatus}. */
export function registerHealth(router: ConnectRouter, health: HealthStatus): void {
  router.service(Health, {
    check(req) {
      const status = health.get(req.service);
      if (status === undefined) {
        throw new ConnectError(`unknown service ${JSON.stringify(req.service)}`, Code.NotFound);
      }
      return { status };
    },
    async *watch(req, ctx) {
      for await (const status of health.watch(ctx.signal, req.service)) yield { status };
    },
    list() {
      return {
        statuses: Object.fromEntries(health.entries().map(([name, status]) => [name, { status }])),
      };
    },
  });
}

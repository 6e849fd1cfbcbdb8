import { Writable } from "node:stream";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { CustomerService } from "../../gen/customeranalytics/v1/customer_pb.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/server/logger.js";
import { type Service, startService } from "../../src/service.js";

/** A real service whose log lines a test reads back. */
export interface LoggedService {
  readonly service: Service;
  readonly baseUrl: string;
  /** Every log record written so far, parsed. */
  logs(): Record<string, unknown>[];
  /** A customer client on the service's port. */
  customers(): ReturnType<typeof createClient<typeof CustomerService>>;
  close(): Promise<void>;
}

/**
 * Starts the service in this process on an ephemeral port, logging at warn and above into
 * memory, without waiting for its first sync (a test of start-up wants to see what it serves
 * before the sync has had its say).
 */
export async function startLoggedService(env: Record<string, string>): Promise<LoggedService> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString()
          .split("\n")
          .filter((line) => line !== ""),
      );
      done();
    },
  });
  const config = loadConfig({
    SOURCE: "local",
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    SHUTDOWN_GRACE: "500ms",
    ...env,
  });
  const service = await startService(config, createLogger("info", sink));
  const baseUrl = `http://127.0.0.1:${service.server.port}`;
  return {
    service,
    baseUrl,
    logs: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    customers: () => createClient(CustomerService, createGrpcTransport({ baseUrl })),
    close: async () => {
      await service.close();
    },
  };
}

import { Writable } from "node:stream";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExportService } from "../gen/customeranalytics/v1/export_pb.js";
import { exportService } from "../src/api/export-service.js";
import { observeInterceptor } from "../src/server/interceptors.js";
import { startTestService, type TestService } from "./support/test-service.js";

// A fault of ours inside ExportTable is mapped and logged once, by the observe interceptor like
// every other RPC's, and the caller gets a bare INTERNAL; the temporary file is still removed.

let running: TestService;

beforeAll(async () => {
  running = await startTestService();
});

afterAll(async () => {
  await running?.close();
});

describe("a fault inside an export", () => {
  it("is one error line and a bare INTERNAL", async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const log = pino({ level: "info" }, sink);
    const real = running.service.store;
    const store = {
      get live() {
        return real.live;
      },
      exports: real.exports,
      exportTo: () => Promise.reject(new TypeError("cannot read properties of undefined")),
    };
    const transport = createRouterTransport(
      (router) =>
        router.service(
          ExportService,
          exportService({ store, maxRows: 1000, defaultMaxStalenessMs: 86_400_000, log }),
        ),
      { router: { interceptors: [observeInterceptor(log)] } },
    );
    const client = createClient(ExportService, transport);
    const err = await (async () => {
      for await (const _ of client.exportTable({ table: "customers" })) {
        // nothing arrives before the fault
      }
    })().then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(err?.code).toBe(Code.Internal);
    expect(err?.rawMessage).not.toContain("undefined");
    const errors = lines.filter((l) => Number(l.level) >= 50);
    expect(errors.map((l) => l.msg)).toEqual(["rpc failed"]);
    expect(real.exports.owned).toBe(0);
  });
});

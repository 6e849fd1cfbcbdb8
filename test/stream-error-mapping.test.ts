import { Writable } from "node:stream";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { SyncService } from "../gen/customeranalytics/v1/sync_pb.js";
import { AppError } from "../src/app-error.js";
import { observeInterceptor } from "../src/server/interceptors.js";

// Errors raised in the middle of a server stream go through the same mapping and logging as
// errors of unary calls: a domain error keeps its code, a fault of ours becomes a bare INTERNAL.

function service(fault: Error) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const transport = createRouterTransport(
    (router) =>
      router.service(SyncService, {
        getSyncStatus: () => ({}),
        triggerSync: () => ({}),
        listSnapshots: () => ({}),
        async *watchSync() {
          yield { progress: { runId: "r1" } };
          throw fault;
        },
      }),
    { router: { interceptors: [observeInterceptor(pino({ level: "info" }, sink))] } },
  );
  return { client: createClient(SyncService, transport), lines };
}

async function drain(client: ReturnType<typeof service>["client"]) {
  const got: string[] = [];
  try {
    for await (const res of client.watchSync({})) got.push(res.progress?.runId ?? "");
  } catch (err) {
    return { got, err: ConnectError.from(err) };
  }
  return { got, err: undefined };
}

describe("errors in the middle of a server stream", () => {
  it("keep a domain error's code and log the call once", async () => {
    const { client, lines } = service(new AppError("unavailable", "the source went away"));
    const { got, err } = await drain(client);
    expect(got).toEqual(["r1"]);
    expect(err?.code).toBe(Code.Unavailable);
    expect(err?.rawMessage).toBe("the source went away");
    const logged = lines.filter((l) => l.msg === "rpc");
    expect(logged).toHaveLength(1);
    expect(logged[0]?.code).toBe("unavailable");
  });

  it("turn a fault of ours into INTERNAL without its message", async () => {
    const { client, lines } = service(new TypeError("cannot read properties of undefined"));
    const { err } = await drain(client);
    expect(err?.code).toBe(Code.Internal);
    expect(err?.rawMessage).not.toContain("undefined");
    expect(lines.some((l) => l.msg === "rpc failed")).toBe(true);
  });
});

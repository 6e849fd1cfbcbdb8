import { once } from "node:events";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import * as http2 from "node:http2";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeBankFixture } from "./support/bank-fixture.js";
import { type ChildService, sleep, startChildService } from "./support/child-service.js";

// An export's temporary file is removed however the call ends: an HTTP/1.1 client that
// disconnects or stops reading mid-stream, an h2 client that resets the stream after the first
// chunk; every such call has its rpc log line; exports are capped per caller and in total; and
// files no running export owns are swept away. Raw clients, because the libraries clean up.

const PATH = "/customeranalytics.v1.ExportService/ExportTable";
const REQUEST = JSON.stringify({ table: "customer_products", format: "EXPORT_FORMAT_NDJSON" });

let sourceDir: string;
let dataDir: string;
let child: ChildService;
let port: number;

beforeAll(async () => {
  // Large enough (some 15 MB as NDJSON) that socket buffers cannot take a whole export.
  sourceDir = await writeBankFixture(30_000);
  dataDir = await mkdtemp(join(tmpdir(), "ca-export-leak-"));
  await mkdir(join(dataDir, "exports"), { recursive: true });
  await writeFile(join(dataDir, "exports", "left-by-a-crash.ndjson"), "old");
  child = await startChildService(
    {
      SOURCE: "local",
      LOCAL_SOURCE_DIR: sourceDir,
      DATA_DIR: dataDir,
      LOG_LEVEL: "info",
      EXPORT_STALL_TIMEOUT: "2s",
      EXPORT_MAX_PER_CALLER: "2",
      EXPORT_MAX_CONCURRENT: "3",
      EXPORT_SWEEP_INTERVAL: "1s",
      // The export is refused by the cap, never by the row limit.
      MAX_EXPORT_ROWS: "10000000",
    },
    "listening",
  );
  port = Number(new URL(child.baseUrl).port);
  // The first sync of this much data can take longer than the helper's 20 s on a busy machine.
  for (let i = 0; i < 2400; i++) {
    const res = await fetch(`${child.baseUrl}/readyz`).catch(() => undefined);
    if (res?.status === 200) break;
    await sleep(100);
  }
}, 300_000);

afterAll(async () => {
  await child?.kill();
  await rm(sourceDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

const exportFiles = () => readdir(join(dataDir, "exports"));

/** Waits (bounded) until no export file is left, and returns what is left. */
async function settledFiles(): Promise<string[]> {
  for (let i = 0; i < 100; i++) {
    const left = await exportFiles();
    if (left.length === 0) return left;
    await sleep(100);
  }
  return exportFiles();
}

/** rpc log lines of ExportTable with `code`, as the child wrote them. */
function rpcLines(code: string): number {
  return child
    .output()
    .split("\n")
    .filter((line) => line.includes('"msg":"rpc') && line.includes("ExportTable"))
    .filter((line) => line.includes(`"code":"${code}"`)).length;
}

/** A raw HTTP/1.1 ExportTable over the Connect protocol, resolved once the first bytes arrive. */
async function h1Export(): Promise<net.Socket> {
  const socket = net.connect(port, "127.0.0.1");
  socket.on("error", () => {});
  await once(socket, "connect");
  const body = envelope(REQUEST);
  socket.write(
    `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/connect+json\r\n` +
      `Connect-Protocol-Version: 1\r\nContent-Length: ${body.length}\r\n\r\n`,
  );
  socket.write(body);
  await once(socket, "data");
  return socket;
}

/** An h2c session, optionally from another loopback address (another caller). */
async function h2Session(localAddress = "127.0.0.1"): Promise<http2.ClientHttp2Session> {
  const session = http2.connect(`http://127.0.0.1:${port}`, {
    createConnection: () => net.connect({ port, host: "127.0.0.1", localAddress }),
    settings: { initialWindowSize: 65_535 },
  });
  session.on("error", () => {});
  await once(session, "remoteSettings");
  return session;
}

/** Starts an ExportTable stream on `session`; resolves with the stream and its response headers. */
async function h2Export(session: http2.ClientHttp2Session) {
  const stream = session.request({
    ":method": "POST",
    ":path": PATH,
    "content-type": "application/connect+json",
    "connect-protocol-version": "1",
  });
  stream.on("error", () => {});
  stream.end(envelope(REQUEST));
  const [headers] = (await once(stream, "response")) as [http2.IncomingHttpHeaders];
  return { stream, headers };
}

describe("an export whose caller goes away", () => {
  it("leaves nothing from a previous process, swept at start-up", async () => {
    expect(await settledFiles()).toEqual([]);
  });

  it("removes the file when an HTTP/1.1 client disconnects mid-stream, and logs the call", async () => {
    const before = rpcLines("canceled");
    const socket = await h1Export();
    socket.pause();
    await sleep(50);
    socket.destroy();
    expect(await settledFiles()).toEqual([]);
    for (let i = 0; i < 50 && rpcLines("canceled") === before; i++) await sleep(100);
    expect(rpcLines("canceled")).toBe(before + 1);
  });

  it("ends the call and removes the file when an HTTP/1.1 client stops reading", async () => {
    const socket = await h1Export();
    socket.pause();
    expect(await settledFiles()).toEqual([]);
    expect(child.output()).toContain("export stalled");
    // The server closed the connection; reading what was buffered reaches its end.
    const closed = once(socket, "close");
    socket.resume();
    await closed;
  });

  it("removes the file when an h2 client resets the stream after the first chunk", async () => {
    const before = rpcLines("canceled");
    const session = await h2Session();
    const { stream } = await h2Export(session);
    await once(stream, "data");
    stream.close(http2.constants.NGHTTP2_CANCEL);
    expect(await settledFiles()).toEqual([]);
    for (let i = 0; i < 50 && rpcLines("canceled") === before; i++) await sleep(100);
    expect(rpcLines("canceled")).toBe(before + 1);
    session.destroy();
  });
});

describe("caps on exports at once", () => {
  it("refuses a caller past EXPORT_MAX_PER_CALLER and everyone past EXPORT_MAX_CONCURRENT", async () => {
    const a = await h2Session("127.0.0.1");
    const b = await h2Session("127.0.0.2");
    // Two of A's and one of B's run (and stall: nobody reads them) ...
    const running = [await h2Export(a), await h2Export(a), await h2Export(b)];
    for (const r of running) expect(r.headers[":status"]).toBe(200);
    // ... so A's third is over A's cap, and B's second over the total.
    const third = await refusal(a);
    expect(third).toContain("resource_exhausted");
    expect(third).toContain("EXPORT_MAX_PER_CALLER=2");
    const fourth = await refusal(b);
    expect(fourth).toContain("resource_exhausted");
    expect(fourth).toContain("EXPORT_MAX_CONCURRENT=3");
    // The stalled ones are ended at EXPORT_STALL_TIMEOUT and give their slots and files back.
    await Promise.all(running.map((r) => once(r.stream, "close")));
    expect(await settledFiles()).toEqual([]);
    const again = await h2Export(a);
    expect(again.headers[":status"]).toBe(200);
    again.stream.close(http2.constants.NGHTTP2_CANCEL);
    a.destroy();
    b.destroy();
    const metrics = await (await fetch(`${child.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/refused_total\{limit="EXPORT_MAX_PER_CALLER"\} [1-9]/);
    expect(metrics).toMatch(/refused_total\{limit="EXPORT_MAX_CONCURRENT"\} [1-9]/);
  });
});

describe("the periodic sweep", () => {
  it("removes a file no running export owns", async () => {
    await writeFile(join(dataDir, "exports", "stray.csv"), "x");
    expect(await settledFiles()).toEqual([]);
  });
});

/** The whole (error) answer of one more export on `session`, as text. */
async function refusal(session: http2.ClientHttp2Session): Promise<string> {
  const { stream } = await h2Export(session);
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  await once(stream, "end");
  return Buffer.concat(chunks).toString("utf8");
}

/** One Connect streaming envelope: flags, big-endian length, the JSON message. */
function envelope(json: string): Buffer {
  const body = Buffer.from(json);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

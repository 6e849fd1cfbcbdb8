import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import * as http2 from "node:http2";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChildService, startChildService } from "./support/child-service.js";
import { BASIC_FIXTURE } from "./support/test-service.js";

// Connections that never finish their headers, idle keep-alive sockets and idle h2c sessions
// are closed after their (here, short) timeouts, and past MAX_CONNECTIONS new connections are
// refused, logged and counted, so a process whose file descriptors are limited keeps
// answering /readyz however many half-open connections a client throws at it.

const FD_LIMIT = 300;
const MAX_CONNECTIONS = 120;
const ATTACKERS = 400;

describe("connections that hold file descriptors", () => {
  let dataDir: string;
  let child: ChildService;
  let port: number;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "ca-conns-"));
    child = await startChildService({
      SOURCE: "local",
      LOCAL_SOURCE_DIR: BASIC_FIXTURE,
      DATA_DIR: dataDir,
      HEADERS_TIMEOUT: "1s",
      IDLE_TIMEOUT: "1s",
      H2_IDLE_TIMEOUT: "1s",
      MAX_CONNECTIONS: String(MAX_CONNECTIONS),
      H2_MAX_STREAMS: "100",
    });
    port = Number(new URL(child.baseUrl).port);
    const pid = String(child.process.pid);
    execFileSync("prlimit", ["--pid", pid, `--nofile=${FD_LIMIT}:${FD_LIMIT}`]);
  });

  afterAll(async () => {
    await child?.kill();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("closes half-header connections, refuses those past the cap, and /readyz answers", async () => {
    const sockets = await Promise.all(
      Array.from({ length: ATTACKERS }, () => connect(port, "GET /readyz HTTP/1.1\r\nHost: x\r\n")),
    );
    // Every one ends: refused at once past the cap, or closed at the headers timeout.
    await Promise.all(sockets.map((s) => closed(s)));
    const ready = await fetch(`${child.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(child.output()).toContain("MAX_CONNECTIONS open connections reached");
    const metrics = await (await fetch(`${child.baseUrl}/metrics`)).text();
    const refused = /customer_analytics_refused_total\{limit="MAX_CONNECTIONS"\} (\d+)/.exec(
      metrics,
    );
    expect(Number(refused?.[1] ?? 0)).toBeGreaterThan(0);
  });

  it("closes a connection that sends a header byte at a time, slower than the timeout", async () => {
    const socket = await connect(port, "GET /readyz HTTP/1.1\r\n");
    let sent = 0;
    const drip = setInterval(() => {
      if (!socket.destroyed) socket.write(sent++ % 2 === 0 ? "X" : "-");
    }, 200);
    await closed(socket);
    clearInterval(drip);
    expect(sent).toBeGreaterThan(0);
  });

  it("closes an HTTP/1.1 keep-alive connection left idle after its response", async () => {
    const socket = await connect(port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    let answer = "";
    socket.on("data", (chunk: Buffer) => {
      answer += chunk.toString("latin1");
    });
    await closed(socket);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
  });

  it("advertises bounded streams and closes an h2c session left without streams", async () => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on("error", () => {});
    await once(session, "remoteSettings");
    expect(session.remoteSettings.maxConcurrentStreams).toBe(100);
    const stream = session.request({ ":path": "/healthz" });
    stream.resume();
    await once(stream, "close");
    await once(session, "close");
    expect(session.destroyed).toBe(true);
  });

  it("closes an h2c session that never opens a stream", async () => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on("error", () => {});
    await once(session, "close");
    expect(session.destroyed).toBe(true);
  });
});

/** A raw TCP connection that has written `text`; errors (resets when refused) are ignored. */
async function connect(port: number, text: string): Promise<net.Socket> {
  const socket = net.connect(port, "127.0.0.1");
  socket.on("error", () => {});
  await Promise.race([once(socket, "connect"), once(socket, "close")]);
  if (!socket.destroyed) socket.write(text);
  return socket;
}

/** Resolves when the server has closed `socket` (or it was refused). */
function closed(socket: net.Socket): Promise<void> {
  if (socket.destroyed || socket.readableEnded) return Promise.resolve();
  socket.resume();
  return new Promise((resolve) => socket.once("close", () => resolve()));
}

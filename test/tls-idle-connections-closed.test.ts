import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import * as http2 from "node:http2";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService, type TestService } from "./support/test-service.js";

// The TLS listener shares the plaintext one's connection core: a connection that never
// finishes its handshake, a TLS HTTP/1.1 connection with half its headers and an idle h2
// session are closed after their (here, short) timeouts, and HTTP/2 streams are bounded.

function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    if (process.env.CI === "true") throw new Error("openssl is required in CI for the TLS tests");
    return false;
  }
}

const opensslHere = hasOpenssl();

describe.runIf(opensslHere)("idle and slow connections over TLS", () => {
  let dir: string;
  let ca: Buffer;
  let running: TestService;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ca-tls-idle-"));
    const cert = join(dir, "cert.pem");
    const key = join(dir, "key.pem");
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
        ...["-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost"],
        ...["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
      ],
      { stdio: "ignore" },
    );
    ca = await readFile(cert);
    running = await startTestService({
      TLS_CERT: cert,
      TLS_KEY: key,
      HEADERS_TIMEOUT: "1s",
      IDLE_TIMEOUT: "1s",
      H2_IDLE_TIMEOUT: "1s",
      H2_MAX_STREAMS: "100",
    });
  });

  afterAll(async () => {
    await running?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("closes a connection that never starts its TLS handshake", async () => {
    const socket = net.connect(running.port, "127.0.0.1");
    socket.on("error", () => {});
    socket.resume();
    await once(socket, "close");
    expect(socket.destroyed).toBe(true);
  });

  it("closes a TLS HTTP/1.1 connection that sends half its headers", async () => {
    const socket = tls.connect({
      port: running.port,
      host: "127.0.0.1",
      ca,
      ALPNProtocols: ["http/1.1"],
    });
    socket.on("error", () => {});
    await once(socket, "secureConnect");
    expect(socket.alpnProtocol).toBe("http/1.1");
    socket.write("GET /readyz HTTP/1.1\r\nHost: x\r\n");
    socket.resume();
    await once(socket, "close");
    expect(socket.destroyed).toBe(true);
  });

  it("advertises bounded streams and closes an idle h2 session", async () => {
    const session = http2.connect(`https://127.0.0.1:${running.port}`, { ca });
    session.on("error", () => {});
    await once(session, "remoteSettings");
    expect(session.remoteSettings.maxConcurrentStreams).toBe(100);
    const stream = session.request({ ":path": "/healthz" });
    stream.resume();
    await once(stream, "close");
    await once(session, "close");
    expect(session.destroyed).toBe(true);
  });
});

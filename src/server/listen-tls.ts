import * as http2 from "node:http2";
import type * as net from "node:net";
import type * as tls from "node:tls";
import type { Handler, Listener } from "./listen.js";

/** The PEM certificate (chain) and private key the TLS listener presents. */
export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/**
 * One TLS port for gRPC, gRPC-Web and Connect: ALPN offers `h2` and `http/1.1`, so gRPC
 * clients and browsers negotiate HTTP/2 while curl --http1.1 and older proxies get HTTP/1.1,
 * all on the same handler. This is Node's own `allowHTTP1`, which (unlike plaintext) needs no
 * sniffing. Close semantics match the plaintext listener: stop accepting, close HTTP/2
 * sessions gracefully, and destroy what is still open after the grace period.
 */
export function listenTls(
  handler: Handler,
  port: number,
  host: string,
  files: TlsFiles,
): Promise<Listener> {
  const server = http2.createSecureServer(
    {
      cert: files.cert,
      key: files.key,
      allowHTTP1: true,
      minVersion: "TLSv1.2",
      maxSessionMemory: 64,
    },
    handler,
  );
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  // HTTP/1.1 requests in flight per socket, so shutdown ends idle keep-alive sockets at once
  // and busy ones right after their response (as the plaintext listener does).
  const h1InFlight = new Map<net.Socket, number>();
  let closing = false;
  server.on("secureConnection", (socket: tls.TLSSocket) => {
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      h1InFlight.delete(socket);
    });
  });
  server.on("request", (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
    if (req.httpVersionMajor !== 1) return;
    const socket = req.socket;
    h1InFlight.set(socket, (h1InFlight.get(socket) ?? 0) + 1);
    res.once("close", () => {
      const left = (h1InFlight.get(socket) ?? 1) - 1;
      h1InFlight.set(socket, left);
      if (closing && left === 0) socket.end();
    });
  });
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address() as net.AddressInfo;
      resolve({
        port: address.port,
        async close(graceMs) {
          closing = true;
          const closed = new Promise<void>((done) => server.close(() => done()));
          for (const session of sessions) session.close();
          for (const [socket, inFlight] of h1InFlight) if (inFlight === 0) socket.end();
          const grace = setTimeout(() => {
            for (const socket of sockets) socket.destroy();
          }, graceMs);
          await closed;
          clearTimeout(grace);
        },
      });
    });
  });
}

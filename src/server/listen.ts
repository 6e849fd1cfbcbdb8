import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";

/** A request handler that serves both HTTP/1.1 and HTTP/2 requests. */
export type Handler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

/** The running listener, with what shutdown needs to close. */
export interface Listener {
  readonly port: number;
  /** Stops accepting, lets open requests finish for `graceMs`, then closes every connection. */
  close(graceMs: number): Promise<void>;
}

const H2_PREFACE = "PRI ";

/** A connection that sends nothing for this long is closed, so idle sockets cannot pile up. */
const FIRST_BYTES_TIMEOUT_MS = 10_000;

/**
 * One plaintext port for gRPC (h2c), gRPC-Web and Connect (HTTP/1.1 or h2c). Node's
 * `allowHTTP1` needs TLS and ALPN, so this reads each connection's first bytes: the HTTP/2
 * preface goes to an http2 server, anything else to an http server, both with one handler.
 */
export function listenH2cAndHttp1(
  handler: Handler,
  port: number,
  host: string,
  maxHeaderBytes = 16 * 1024,
): Promise<Listener> {
  const h1 = http.createServer({ maxHeaderSize: maxHeaderBytes }, handler);
  const h2 = http2.createServer({ maxSessionMemory: 64 }, handler);
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  // HTTP/1.1 sockets between requests. h1 never listens itself, so Node does not track its
  // connections and `h1.closeIdleConnections()` would close nothing: a keep-alive client would
  // hold shutdown for the whole grace period. Counted here instead, per socket.
  const h1InFlight = new Map<net.Socket, number>();
  let closing = false;
  h1.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    h1InFlight.set(socket, (h1InFlight.get(socket) ?? 0) + 1);
    res.once("close", () => {
      const left = (h1InFlight.get(socket) ?? 1) - 1;
      h1InFlight.set(socket, left);
      if (closing && left === 0) socket.end();
    });
  });
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      h1InFlight.delete(socket);
    });
    socket.setTimeout(FIRST_BYTES_TIMEOUT_MS, () => socket.destroy());
    socket.once("readable", function sniff() {
      const head: Buffer | null = socket.read();
      if (head === null) {
        socket.once("readable", sniff);
        return;
      }
      socket.setTimeout(0);
      socket.unshift(head);
      const target = head.subarray(0, 4).toString("latin1") === H2_PREFACE ? h2 : h1;
      target.emit("connection", socket);
    });
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
          for (const [socket, inFlight] of h1InFlight) if (inFlight === 0) socket.destroy();
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

import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import { ConnectionCore, type ConnectionLimits, type OnRefused } from "./connection-core.js";

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

/** What both listeners take besides the handler and the address. */
export interface ListenOptions {
  readonly limits: ConnectionLimits;
  /** Told when the connection cap refuses a connection. */
  readonly onRefused?: OnRefused;
  /** Largest HTTP/1.1 header block accepted, in bytes. */
  readonly maxHeaderBytes?: number;
}

const H2_PREFACE = "PRI ";

/**
 * One plaintext port for gRPC (h2c), gRPC-Web and Connect (HTTP/1.1 or h2c). Node's
 * `allowHTTP1` needs TLS and ALPN, so this reads each connection's first bytes: the HTTP/2
 * preface goes to an http2 server, anything else to an http server, both with one handler.
 * Deadlines, the connection cap and shutdown are the {@link ConnectionCore}'s.
 */
export function listenH2cAndHttp1(
  handler: Handler,
  port: number,
  host: string,
  options: ListenOptions,
): Promise<Listener> {
  const core = new ConnectionCore(options.limits);
  const h1 = http.createServer({ maxHeaderSize: options.maxHeaderBytes ?? 16 * 1024 }, handler);
  h1.keepAliveTimeout = options.limits.idleTimeoutMs;
  const h2 = http2.createServer(core.h2Options(), handler);
  h2.on("session", (session) => core.h2Session(session));
  h1.on("request", (req: http.IncomingMessage, res: http.ServerResponse) =>
    core.h1Request(req, res),
  );
  const server = net.createServer((socket) => {
    core.socket(socket);
    socket.once("readable", function sniff() {
      const head: Buffer | null = socket.read();
      if (head === null) {
        socket.once("readable", sniff);
        return;
      }
      socket.unshift(head);
      const isH2 = head.subarray(0, 4).toString("latin1") === H2_PREFACE;
      if (isH2) core.carriesH2(socket);
      (isH2 ? h2 : h1).emit("connection", socket);
    });
  });
  return core.listen(server, port, host, options.onRefused);
}

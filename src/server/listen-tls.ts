import * as http2 from "node:http2";
import type * as tls from "node:tls";
import { ConnectionCore } from "./connection-core.js";
import type { Handler, Listener, ListenOptions } from "./listen.js";

/** The PEM certificate (chain) and private key the TLS listener presents. */
export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/**
 * One TLS port for gRPC, gRPC-Web and Connect: ALPN offers `h2` and `http/1.1`, so gRPC
 * clients and browsers negotiate HTTP/2 while curl --http1.1 and older proxies get HTTP/1.1,
 * all on the same handler. This is Node's own `allowHTTP1`, which (unlike plaintext) needs no
 * sniffing. Deadlines, the connection cap and shutdown are the same {@link ConnectionCore}'s
 * as the plaintext listener's; the TLS handshake itself must finish within the headers timeout.
 */
export function listenTls(
  handler: Handler,
  port: number,
  host: string,
  files: TlsFiles,
  options: ListenOptions,
): Promise<Listener> {
  const core = new ConnectionCore(options.limits);
  const server = http2.createSecureServer(
    {
      ...core.h2Options(),
      cert: files.cert,
      key: files.key,
      allowHTTP1: true,
      minVersion: "TLSv1.2",
      handshakeTimeout: options.limits.headersTimeoutMs,
    },
    handler,
  );
  server.on("secureConnection", (socket: tls.TLSSocket) => {
    core.socket(socket);
    if (socket.alpnProtocol === "h2") core.carriesH2(socket);
  });
  server.on("request", (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
    if (req.httpVersionMajor === 1) core.h1Request(req, res);
  });
  server.on("session", (session) => core.h2Session(session));
  return core.listen(server, port, host, options.onRefused);
}

import type * as http from "node:http";
import type * as http2 from "node:http2";
import type * as net from "node:net";

/**
 * The limits every listener applies, so that no client (authenticated or not) can hold the
 * process's file descriptors: connections that never finish a request are closed, idle ones
 * too, and past a cap new connections are refused at once.
 */
export interface ConnectionLimits {
  /**
   * A connection must bring its first complete HTTP/1.1 request headers, its HTTP/2 preface or
   * its TLS handshake within this (HEADERS_TIMEOUT).
   */
  readonly headersTimeoutMs: number;
  /** An HTTP/1.1 keep-alive connection with no request in flight is closed after this (IDLE_TIMEOUT). */
  readonly idleTimeoutMs: number;
  /** An HTTP/2 session with no open stream is closed after this (H2_IDLE_TIMEOUT). */
  readonly h2IdleTimeoutMs: number;
  /** Open connections per process; more are refused (MAX_CONNECTIONS). */
  readonly maxConnections: number;
  /** Streams one HTTP/2 session may open at once, advertised in SETTINGS (H2_MAX_STREAMS). */
  readonly maxConcurrentStreams: number;
}

/** The defaults the configuration falls back to, documented in docs/deployment.md. */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
  h2IdleTimeoutMs: 300_000,
  maxConnections: 4096,
  maxConcurrentStreams: 250,
};

/** Told when the connection cap refuses a connection (for the log line and the metric). */
export type OnRefused = (open: number, limit: number) => void;

/** Per connection: requests in flight (HTTP/1.1) or open streams (HTTP/2), and its deadline. */
interface Tracked {
  busy: number;
  /** The socket carries an HTTP/2 session, whose own deadline and close apply. */
  h2: boolean;
  timer: NodeJS.Timeout | undefined;
  end: () => void;
}

/**
 * What the plaintext and the TLS listener share: the set of open connections, the deadline
 * each idle connection runs against (the headers timeout until its first request or its
 * HTTP/2 preface, then the idle timeout of its protocol), and the drain-and-close of shutdown. Both listeners hand it their sockets,
 * HTTP/1.1 requests and HTTP/2 sessions; neither closes a connection any other way.
 */
export class ConnectionCore {
  readonly #limits: ConnectionLimits;
  readonly #sockets = new Map<net.Socket, Tracked>();
  readonly #sessions = new Map<http2.ServerHttp2Session, Tracked>();
  #closing = false;

  constructor(limits: ConnectionLimits) {
    this.#limits = limits;
  }

  /** The options every HTTP/2 server of a listener is created with. */
  h2Options(): http2.ServerOptions {
    return {
      maxSessionMemory: 64,
      settings: { maxConcurrentStreams: this.#limits.maxConcurrentStreams },
    };
  }

  /** Applies the connection cap to `server` and reports each refusal to `onRefused`. */
  capConnections(server: net.Server, onRefused: OnRefused | undefined): void {
    server.maxConnections = this.#limits.maxConnections;
    server.on("drop", () => onRefused?.(this.#sockets.size, this.#limits.maxConnections));
  }

  /**
   * The last step of either listener: applies the connection cap to `server` and binds it to
   * `port` on `host`, resolving with the bound port (the real one when 0 asked for any) and the
   * shutdown that drains and closes through this core. Rejects if the port cannot be bound.
   */
  listen(
    server: net.Server,
    port: number,
    host: string,
    onRefused: OnRefused | undefined,
  ): Promise<{ readonly port: number; close(graceMs: number): Promise<void> }> {
    this.capConnections(server, onRefused);
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        const address = server.address() as net.AddressInfo;
        resolve({ port: address.port, close: (graceMs) => this.close(server, graceMs) });
      });
    });
  }

  /** A new connection: it must bring its first request within the headers timeout. */
  socket(socket: net.Socket): void {
    const tracked: Tracked = { busy: 0, h2: false, timer: undefined, end: () => socket.destroy() };
    track(this.#sockets, socket, tracked);
    arm(tracked, this.#limits.headersTimeoutMs);
  }

  /** The socket turned out to carry HTTP/2: from now on its session's deadline applies. */
  carriesH2(socket: net.Socket): void {
    const tracked = this.#sockets.get(socket);
    if (tracked === undefined) return;
    tracked.h2 = true;
    clearTimeout(tracked.timer);
  }

  /**
   * An HTTP/1.1 request on a tracked socket: the socket's deadline stops while it runs and
   * restarts at the idle timeout when the last response closes (or, when shutting down, the
   * socket ends right away).
   */
  h1Request(
    req: http.IncomingMessage | http2.Http2ServerRequest,
    res: http.ServerResponse | http2.Http2ServerResponse,
  ): void {
    const tracked = this.#sockets.get(req.socket);
    if (tracked === undefined) return;
    tracked.busy++;
    clearTimeout(tracked.timer);
    res.once("close", () => {
      tracked.busy--;
      if (tracked.busy > 0) return;
      if (this.#closing) tracked.end();
      else arm(tracked, this.#limits.idleTimeoutMs);
    });
  }

  /** An HTTP/2 session: its deadline (the h2 idle timeout) runs while it has no open stream. */
  h2Session(session: http2.ServerHttp2Session): void {
    const tracked: Tracked = { busy: 0, h2: true, timer: undefined, end: () => session.destroy() };
    track(this.#sessions, session, tracked);
    session.on("stream", (stream: http2.ServerHttp2Stream) => {
      tracked.busy++;
      clearTimeout(tracked.timer);
      stream.once("close", () => {
        tracked.busy--;
        if (tracked.busy === 0 && !this.#closing) arm(tracked, this.#limits.h2IdleTimeoutMs);
      });
    });
    // A client may open its session well before its first call (gRPC channels connect
    // eagerly), so a session without streams gets the h2 idle timeout from the start.
    arm(tracked, this.#limits.h2IdleTimeoutMs);
    if (this.#closing) session.close();
  }

  /**
   * Shutdown: `server` stops accepting, HTTP/2 sessions are closed gracefully (open streams
   * finish), idle HTTP/1.1 sockets end at once and busy ones after their response; whatever
   * is still open after `graceMs` is destroyed.
   */
  async close(server: net.Server, graceMs: number): Promise<void> {
    this.#closing = true;
    const closed = new Promise<void>((done) => server.close(() => done()));
    for (const session of this.#sessions.keys()) session.close();
    for (const [socket, tracked] of this.#sockets) {
      if (tracked.busy === 0 && !tracked.h2) socket.end();
    }
    const grace = setTimeout(() => {
      for (const socket of this.#sockets.keys()) socket.destroy();
    }, graceMs);
    await closed;
    clearTimeout(grace);
  }
}

/** Keeps `tracked` under `key` in `open` until the socket or session closes, its deadline with it. */
function track<K extends net.Socket | http2.ServerHttp2Session>(
  open: Map<K, Tracked>,
  key: K,
  tracked: Tracked,
): void {
  open.set(key, tracked);
  key.once("close", () => {
    clearTimeout(tracked.timer);
    open.delete(key);
  });
}

/** (Re)starts a connection's deadline; when it passes, the connection is closed. */
function arm(tracked: Tracked, ms: number): void {
  clearTimeout(tracked.timer);
  tracked.timer = setTimeout(tracked.end, ms);
  tracked.timer.unref();
}

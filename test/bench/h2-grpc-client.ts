/**
 * The load client's gRPC: unary calls over h2c straight on `node:http2`, one session per job.
 * The benchmark's client shares two cores with the server, so it must cost as little as it can:
 * requests are encoded once, answers are checked (grpc-status 0 and exactly one envelope) but
 * not decoded, except the first of each job, which proves the answers are well-formed.
 *
 * @module
 */
import * as http2 from "node:http2";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { codeFromHttpStatus } from "@connectrpc/connect/protocol-grpc";
import { encodedRequests } from "./encoded-requests.js";
import { envelopedMessage, grpcEnvelope } from "./grpc-envelope.js";
import type { RpcCase } from "./rpc-cases.js";

/** How long a call may take, told to the server (grpc-timeout) and enforced here when idle. */
const CALL_TIMEOUT_MS = 30_000;

/**
 * Opens an h2c session to `baseUrl` and resolves once it is connected. Later session errors are
 * left to the calls in flight, which fail (and are counted) on their own.
 */
export function openGrpcSession(baseUrl: string): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(baseUrl);
    session.once("error", reject);
    session.once("connect", () => {
      session.off("error", reject);
      session.on("error", ignoreSessionError);
      resolve(session);
    });
  });
}

function ignoreSessionError(): void {}

/**
 * The call of `rpc` on `session`: request `i` (LIVE_REQUIRED when `live`) sent as one envelope;
 * it resolves on grpc-status 0 with one well-formed envelope and rejects with a ConnectError
 * carrying the gRPC code and message otherwise (an HTTP error without grpc-status is mapped as
 * gRPC maps it: 404 is UNIMPLEMENTED).
 */
export function grpcCaller(
  session: http2.ClientHttp2Session,
  rpc: RpcCase,
  live: boolean,
): (i: number) => Promise<void> {
  const body = encodedRequests(rpc, live, (message) =>
    grpcEnvelope(toBinary(rpc.method.input, message)),
  );
  const headers = {
    ":method": "POST",
    ":path": `/${rpc.method.parent.typeName}/${rpc.method.name}`,
    "content-type": "application/grpc",
    te: "trailers",
    "grpc-timeout": `${CALL_TIMEOUT_MS / 1000}S`,
  };
  let decodedOne = false;
  return (i) =>
    new Promise<void>((resolve, reject) => {
      const stream = session.request(headers);
      let httpStatus = 0;
      let grpcStatus: string | undefined;
      let grpcMessage: string | undefined;
      let failure: Error | undefined;
      const chunks: Buffer[] = [];
      stream.setTimeout(CALL_TIMEOUT_MS, () => {
        failure = new ConnectError(`no answer within ${CALL_TIMEOUT_MS} ms`, Code.DeadlineExceeded);
        stream.close(http2.constants.NGHTTP2_CANCEL);
      });
      stream.on("response", (h) => {
        httpStatus = Number(h[":status"]);
        grpcStatus = header(h["grpc-status"]);
        grpcMessage = header(h["grpc-message"]);
      });
      stream.on("trailers", (h) => {
        grpcStatus = header(h["grpc-status"]);
        grpcMessage = header(h["grpc-message"]);
      });
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", (err) => {
        failure ??= err;
      });
      stream.on("close", () => {
        if (failure !== undefined) return reject(failure);
        if (grpcStatus !== "0") return reject(statusError(httpStatus, grpcStatus, grpcMessage));
        const message = envelopedMessage(
          chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks),
        );
        if (message === undefined) {
          return reject(
            new ConnectError("the answer is not one uncompressed message", Code.Internal),
          );
        }
        if (!decodedOne) {
          try {
            fromBinary(rpc.method.output, message);
          } catch (err) {
            return reject(err);
          }
          decodedOne = true;
        }
        resolve();
      });
      stream.end(body(i));
    });
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function statusError(
  httpStatus: number,
  grpcStatus: string | undefined,
  grpcMessage: string | undefined,
): ConnectError {
  if (grpcStatus === undefined) {
    return new ConnectError(
      `HTTP ${httpStatus} without grpc-status`,
      codeFromHttpStatus(httpStatus),
    );
  }
  const code = Number(grpcStatus);
  return new ConnectError(
    percentDecoded(grpcMessage ?? ""),
    Number.isInteger(code) && code >= 1 && code <= 16 ? (code as Code) : Code.Unknown,
  );
}

/** grpc-message is percent-encoded; a malformed one is shown as it came. */
function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

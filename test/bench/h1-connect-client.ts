/**
 * The load client's Connect JSON: unary calls over HTTP/1.1 straight on `node:http`, through a
 * keep-alive agent with one socket per caller. Like the gRPC client it encodes each request once
 * and does not decode answers, except the first of each job, which proves they are well-formed.
 *
 * @module
 */
import * as http from "node:http";
import { fromJsonString, toJsonString } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { codeFromHttpStatus, codeFromString } from "@connectrpc/connect/protocol-connect";
import { encodedRequests } from "./encoded-requests.js";
import type { RpcCase } from "./rpc-cases.js";

/** How long a call may take, told to the server (connect-timeout-ms) and enforced here. */
const CALL_TIMEOUT_MS = 30_000;

/** A keep-alive agent holding at most `concurrency` sockets, one per caller of a job. */
export function connectJsonAgent(concurrency: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: concurrency });
}

/**
 * The call of `rpc` at `baseUrl` through `agent`: request `i` (LIVE_REQUIRED when `live`) sent
 * as JSON; it resolves on HTTP 200 and rejects with a ConnectError carrying the code and message
 * of Connect's JSON error body otherwise.
 */
export function connectJsonCaller(
  baseUrl: string,
  agent: http.Agent,
  rpc: RpcCase,
  live: boolean,
): (i: number) => Promise<void> {
  const url = new URL(baseUrl);
  const body = encodedRequests(rpc, live, (message) =>
    Buffer.from(toJsonString(rpc.method.input, message)),
  );
  const path = `/${rpc.method.parent.typeName}/${rpc.method.name}`;
  let decodedOne = false;
  return (i) =>
    new Promise<void>((resolve, reject) => {
      const bytes = body(i);
      const request = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method: "POST",
          path,
          timeout: CALL_TIMEOUT_MS,
          headers: {
            "content-type": "application/json",
            "content-length": bytes.length,
            "connect-protocol-version": "1",
            "connect-timeout-ms": String(CALL_TIMEOUT_MS),
          },
        },
        (response) => {
          response.on("error", reject);
          if (response.statusCode === 200 && decodedOne) {
            response.on("end", resolve);
            response.resume();
            return;
          }
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            if (response.statusCode !== 200) return reject(connectError(response.statusCode, text));
            try {
              fromJsonString(rpc.method.output, text);
            } catch (err) {
              return reject(err);
            }
            decodedOne = true;
            resolve();
          });
        },
      );
      request.on("timeout", () =>
        request.destroy(
          new ConnectError(`no answer within ${CALL_TIMEOUT_MS} ms`, Code.DeadlineExceeded),
        ),
      );
      request.on("error", reject);
      request.end(bytes);
    });
}

/** The error of a Connect unary answer: its JSON body's code and message, else its HTTP status. */
function connectError(httpStatus: number | undefined, text: string): ConnectError {
  const status = httpStatus ?? 0;
  try {
    const json = JSON.parse(text) as { code?: unknown; message?: unknown };
    const code = typeof json.code === "string" ? codeFromString(json.code) : undefined;
    const message = typeof json.message === "string" ? json.message : "";
    if (code !== undefined) return new ConnectError(message, code);
  } catch {
    // not JSON: fall through to the HTTP status
  }
  return new ConnectError(`HTTP ${status}: ${text.slice(0, 200)}`, codeFromHttpStatus(status));
}

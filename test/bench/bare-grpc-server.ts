/**
 * The transport floor's server, run by the benchmark as its own process (`node --import tsx
 * test/bench/bare-grpc-server.ts`): a bare `node:http2` h2c server that answers every call,
 * whatever its path and body, with one fixed gRPC message (a HealthCheckResponse SERVING) and
 * grpc-status 0. No routing, decoding or logging: what the load client reaches against it is the
 * most Node's HTTP/2 and that client can do on this machine, so no RPC of the service can be
 * faster. Prints `{"event":"listening","url":...}` on stdout once it listens on 127.0.0.1.
 *
 * @module
 */
import { createServer } from "node:http2";
import type { AddressInfo } from "node:net";
import { create, toBinary } from "@bufbuild/protobuf";
import {
  HealthCheckResponse_ServingStatus,
  HealthCheckResponseSchema,
} from "../../gen/grpc/health/v1/health_pb.js";
import { grpcEnvelope } from "./grpc-envelope.js";

const ANSWER = grpcEnvelope(
  toBinary(
    HealthCheckResponseSchema,
    create(HealthCheckResponseSchema, { status: HealthCheckResponse_ServingStatus.SERVING }),
  ),
);
const HEADERS = { ":status": 200, "content-type": "application/grpc" };
const TRAILERS = { "grpc-status": "0" };

const server = createServer();
server.on("stream", (stream) => {
  stream.on("error", ignore);
  stream.on("end", () => {
    stream.respond(HEADERS, { waitForTrailers: true });
    stream.once("wantTrailers", () => stream.sendTrailers(TRAILERS));
    stream.end(ANSWER);
  });
  stream.resume();
});
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(
    `${JSON.stringify({ event: "listening", url: `http://127.0.0.1:${port}` })}\n`,
  );
});

/** A call the client gave up on is no concern of the floor's. */
function ignore(): void {}

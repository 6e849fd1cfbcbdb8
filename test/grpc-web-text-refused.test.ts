import { create, toBinary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CustomerService,
  GetCustomerRequestSchema,
} from "../gen/customeranalytics/v1/customer_pb.js";
import { envelope, grpcStatus, http1 } from "./support/raw-rpc.js";
import { startTestService, type TestService } from "./support/test-service.js";

// gRPC-Web text (base64) is not implemented by connect-node: a request in it is refused with
// 415 and a gRPC status a grpc-web client can show (UNIMPLEMENTED, saying to use binary
// gRPC-Web), while binary gRPC-Web keeps working on the same port.

let running: TestService;

beforeAll(async () => {
  running = await startTestService();
});

afterAll(async () => {
  await running?.close();
});

describe("application/grpc-web-text", () => {
  const path = "/customeranalytics.v1.CustomerService/GetCustomer";
  const message = toBinary(
    GetCustomerRequestSchema,
    create(GetCustomerRequestSchema, { customerId: "C001" }),
  );
  const body = Buffer.from(envelope(message).toString("base64"));

  for (const type of ["application/grpc-web-text", "application/grpc-web-text+proto"]) {
    it(`${type} is refused with UNIMPLEMENTED naming binary gRPC-Web`, async () => {
      const answer = await http1(running.baseUrl, {
        path,
        headers: { "content-type": type, "x-grpc-web": "1" },
        body,
        timeoutMs: 5_000,
      });
      expect(answer.status).toBe(415);
      const status = grpcStatus(answer);
      expect(status.code).toBe(12);
      expect(status.message).toContain("application/grpc-web+proto");
      expect(answer.body.toString()).toContain("grpc-web-text");
    });
  }

  it("binary gRPC-Web still answers", async () => {
    const client = createClient(
      CustomerService,
      createGrpcWebTransport({ baseUrl: running.baseUrl, httpVersion: "1.1" }),
    );
    const res = await client.getCustomer({ customerId: "C001" }, { timeoutMs: 5_000 });
    expect(res.customer?.customerId).toBe("C001");
  });
});

import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import * as https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { ServerReflection } from "../gen/grpc/reflection/v1/reflection_pb.js";
import { probeHealth } from "../src/server/healthcheck.js";
import { startTestService, type TestService } from "./support/test-service.js";

// With TLS_CERT and TLS_KEY the one port speaks TLS with ALPN: gRPC and Connect over h2, and
// Connect over HTTP/1.1, verified against a self-signed certificate made here with openssl.
// REFLECTION=off is checked on the same service.

/** Whether the openssl CLI is there; CI must have it, elsewhere the suite says why it skips. */
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
if (!opensslHere) console.warn("skipping the TLS tests: no openssl CLI to make a certificate");

describe.runIf(opensslHere)("TLS on the one port", () => {
  let dir: string;
  let ca: Buffer;
  let running: TestService;
  let baseUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ca-tls-"));
    const cert = join(dir, "cert.pem");
    const key = join(dir, "key.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    ca = await readFile(cert);
    running = await startTestService({ TLS_CERT: cert, TLS_KEY: key, REFLECTION: "off" });
    baseUrl = `https://127.0.0.1:${running.port}`;
  });

  afterAll(async () => {
    await running?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("serves gRPC over h2 to a client that trusts the certificate", async () => {
    const customers = createClient(
      CustomerService,
      createGrpcTransport({ baseUrl, nodeOptions: { ca } }),
    );
    const res = await customers.getCustomer({ customerId: "C002" }, { timeoutMs: 5_000 });
    expect(res.customer?.customerName).toBe("Bob & Co");
  });

  it("serves Connect over h2", async () => {
    const customers = createClient(
      CustomerService,
      createConnectTransport({ baseUrl, httpVersion: "2", nodeOptions: { ca } }),
    );
    const res = await customers.getCustomer({ customerId: "C002" }, { timeoutMs: 5_000 });
    expect(res.customer?.customerId).toBe("C002");
  });

  it("serves Connect JSON over HTTP/1.1, negotiated by ALPN", async () => {
    const { status, body, alpn } = await postHttp1(
      `${baseUrl}/customeranalytics.v1.CustomerService/GetCustomer`,
      { customerId: "C002" },
      ca,
    );
    expect(alpn).toBe("http/1.1");
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ customer: { customerId: "C002" } });
  });

  it("refuses a client that does not trust the certificate", async () => {
    const customers = createClient(CustomerService, createGrpcTransport({ baseUrl }));
    const err = await customers.getCustomer({ customerId: "C002" }, { timeoutMs: 5_000 }).then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(err?.message).toMatch(/certificate/i);
  });

  it("the health probe speaks TLS", async () => {
    expect(await probeHealth({ baseUrl })).toBe(true);
  });

  it("REFLECTION=off removes reflection", async () => {
    const reflection = createClient(
      ServerReflection,
      createGrpcTransport({ baseUrl, nodeOptions: { ca } }),
    );
    const requests = (async function* () {
      yield { messageRequest: { case: "listServices" as const, value: "" } };
    })();
    const err = await (async () => {
      for await (const _ of reflection.serverReflectionInfo(requests, { timeoutMs: 5_000 })) break;
    })().then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(err?.code).toBe(Code.Unimplemented);
  });
});

/** POSTs JSON with node:https (fetch cannot take a custom CA) over HTTP/1.1. */
function postHttp1(
  url: string,
  body: unknown,
  ca: Buffer,
): Promise<{ status: number; body: string; alpn: string | false | undefined }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: "POST",
        agent: new https.Agent({ ca, ALPNProtocols: ["http/1.1"] }),
        headers: { "content-type": "application/json" },
        timeout: 5_000,
      },
      (res) => {
        const alpn = (res.socket as TLSSocket).alpnProtocol ?? undefined;
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text,
            alpn,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

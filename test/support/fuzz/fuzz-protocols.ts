import {
  type DescMessage,
  type DescMethod,
  type DescMethodStreaming,
  type DescMethodUnary,
  type Message,
  toBinary,
  toJsonString,
} from "@bufbuild/protobuf";
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { CALL_TIMEOUT_MS, ENDLESS } from "./fuzz-settings.js";

/** One client protocol the typed cases travel over, and whether it encodes JSON. */
export interface Protocol {
  readonly name: string;
  readonly json: boolean;
  readonly transport: Transport;
}

/** Every client protocol the service serves, towards `baseUrl`. */
export function protocols(baseUrl: string): Protocol[] {
  return [
    { name: "gRPC proto", json: false, transport: createGrpcTransport({ baseUrl }) },
    {
      name: "gRPC JSON",
      json: true,
      transport: createGrpcTransport({ baseUrl, useBinaryFormat: false }),
    },
    {
      name: "Connect JSON",
      json: true,
      transport: createConnectTransport({ baseUrl, httpVersion: "1.1" }),
    },
    {
      name: "Connect proto",
      json: false,
      transport: createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true }),
    },
    {
      name: "gRPC-Web proto",
      json: false,
      transport: createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }),
    },
  ];
}

/** How a typed call ended: its code (none for OK), message, duration and messages read. */
export interface Outcome {
  readonly code: Code | undefined;
  readonly message: string;
  readonly ms: number;
  readonly messages: number;
}

/**
 * Calls `method` with `message`. Endless streams are cancelled after their first message (a
 * cancel of ours is not a failure); ExportTable is read to its end, or cancelled after its first
 * chunk when `cancelEarly`.
 */
export async function invoke(
  transport: Transport,
  method: DescMethod,
  message: Message,
  headers: Record<string, string>,
  cancelEarly = false,
): Promise<Outcome> {
  const controller = new AbortController();
  const started = performance.now();
  let messages = 0;
  try {
    if (method.methodKind === "unary") {
      await transport.unary(
        method as DescMethodUnary,
        controller.signal,
        CALL_TIMEOUT_MS,
        headers,
        message,
      );
      messages = 1;
    } else {
      const input = (async function* () {
        yield message;
      })();
      const res = await transport.stream(
        method as DescMethodStreaming,
        controller.signal,
        CALL_TIMEOUT_MS,
        headers,
        input,
      );
      for await (const _ of res.message) {
        messages++;
        if (ENDLESS.has(method.name) || cancelEarly) {
          controller.abort();
          break;
        }
      }
    }
    return { code: undefined, message: "", ms: performance.now() - started, messages };
  } catch (err) {
    const e = ConnectError.from(err);
    const ours = controller.signal.aborted && e.code === Code.Canceled;
    return {
      code: ours ? undefined : e.code,
      message: e.rawMessage,
      ms: performance.now() - started,
      messages,
    };
  } finally {
    controller.abort();
  }
}

/** Whether the client libraries can encode the message in JSON and in binary. */
export function encodable(desc: DescMessage, message: Message): { json: boolean; binary: boolean } {
  const attempt = (f: () => unknown) => {
    try {
      f();
      return true;
    } catch {
      return false;
    }
  };
  return {
    json: attempt(() => toJsonString(desc, message)),
    binary: attempt(() => toBinary(desc, message)),
  };
}

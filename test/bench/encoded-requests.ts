/**
 * Requests encoded once: the load client sends the same requests over and over, so each distinct
 * request of an RPC is built and encoded on first use and its bytes reused, leaving the client's
 * CPU to the calls themselves (on two shared cores, the client's CPU is the server's loss).
 *
 * @module
 */
import type { Message } from "@bufbuild/protobuf";
import type { RpcCase } from "./rpc-cases.js";

/**
 * The bytes of request `i` of `rpc` (LIVE_REQUIRED when `live`) as `encode` writes them, each
 * distinct request encoded once, when first asked for.
 */
export function encodedRequests(
  rpc: RpcCase,
  live: boolean,
  encode: (message: Message) => Buffer,
): (i: number) => Buffer {
  const cache: (Buffer | undefined)[] = [];
  return (i) => {
    const slot = i % rpc.distinct;
    const cached = cache[slot];
    if (cached !== undefined) return cached;
    const bytes = encode(rpc.request(i, live));
    cache[slot] = bytes;
    return bytes;
  };
}

import type * as http from "node:http";
import { constants, type Http2ServerRequest } from "node:http2";
import {
  type ContextValues,
  createContextKey,
  createContextValues,
  type HandlerContext,
} from "@connectrpc/connect";
import { kPrincipal } from "./auth/roles.js";

/** The caller's network address, for limits that apply per caller when auth is off. */
const kPeer = createContextKey<string>("", { description: "the caller's address" });

/** Ends the call on the wire: RST_STREAM(CANCEL) on HTTP/2, the connection on HTTP/1.1. */
const kEndCall = createContextKey<() => void>(() => {}, { description: "ends the call" });

/**
 * What each call's context learns from its Node request (the adapter's `contextValues`): the
 * peer address and a way to end the call on the wire. Handlers below the server never see the
 * Node request; they get {@link callerOf} and {@link endCall} instead.
 */
export function callContextValues(req: http.IncomingMessage | Http2ServerRequest): ContextValues {
  const values = createContextValues();
  values.set(kPeer, req.socket.remoteAddress ?? "");
  values.set(kEndCall, () => {
    if ("stream" in req) req.stream.close(constants.NGHTTP2_CANCEL);
    else req.socket.destroy();
  });
  return values;
}

/** Who is calling: the principal's name when authenticated, else the peer's address. */
export function callerOf(ctx: HandlerContext): string {
  const principal = ctx.values.get(kPrincipal);
  return principal === undefined ? `peer ${ctx.values.get(kPeer)}` : `principal ${principal.name}`;
}

/** Ends the call of `ctx` on the wire (for a caller that stopped reading). */
export function endCall(ctx: HandlerContext): void {
  ctx.values.get(kEndCall)();
}

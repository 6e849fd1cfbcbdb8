import type { Handler } from "./listen.js";

/** The text (base64) variant of gRPC-Web, which connect-node does not implement. */
const GRPC_WEB_TEXT = /^application\/grpc-web-text(?:\+|;|$)/i;

/** What a caller that sent gRPC-Web text is told, in the status message and the body. */
export const GRPC_WEB_TEXT_MESSAGE =
  "application/grpc-web-text (base64 gRPC-Web) is not served; send binary gRPC-Web (application/grpc-web+proto), which grpc-web clients select with mode=grpcweb, or use Connect";

/**
 * Answers gRPC-Web text requests with a clear refusal instead of a bare 415: the HTTP status
 * stays 415 for proxies and curl, and `grpc-status: 12` (UNIMPLEMENTED) with `grpc-message`
 * tells a grpc-web client why, so it does not report an unknown error. Everything else goes to
 * `next`. connect-node serves binary gRPC-Web only; docs/deployment.md says so.
 */
export function refuseGrpcWebText(next: Handler): Handler {
  return (req, res) => {
    const type = req.headers["content-type"];
    if (typeof type !== "string" || !GRPC_WEB_TEXT.test(type)) {
      next(req, res);
      return;
    }
    req.resume();
    res.writeHead(415, {
      "content-type": "text/plain; charset=utf-8",
      "grpc-status": "12",
      "grpc-message": encodeURIComponent(GRPC_WEB_TEXT_MESSAGE),
      "access-control-expose-headers": "grpc-status, grpc-message",
    });
    res.end(`${GRPC_WEB_TEXT_MESSAGE}\n`);
  };
}

/**
 * gRPC's length-prefixed message framing (one flag byte, a 4-byte big-endian length, the
 * message), shared by the load client and the bare server of the transport floor.
 *
 * @module
 */

/** Frames `message` as one uncompressed gRPC envelope, ready to send as a request or answer. */
export function grpcEnvelope(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(5 + message.length);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

/**
 * The message of `body` when it is exactly one uncompressed envelope, else undefined: a unary
 * answer must be that, and checking it costs the client no decoding.
 */
export function envelopedMessage(body: Buffer): Buffer | undefined {
  if (body.length < 5 || body[0] !== 0 || body.readUInt32BE(1) !== body.length - 5)
    return undefined;
  return body.subarray(5);
}

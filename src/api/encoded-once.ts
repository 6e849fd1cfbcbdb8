import {
  create,
  type DescMessage,
  fromBinary,
  type MessageInitShape,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import { EmptySchema } from "@bufbuild/protobuf/wkt";
import type { HandlerContext } from "@connectrpc/connect";

/** A message's fields as already-encoded bytes, as protobuf-es keeps fields it does not know. */
type EncodedFields = NonNullable<MessageShape<typeof EmptySchema>["$unknown"]>;

/**
 * Serves a big answer that does not depend on the caller (trends, the segment summary, a table
 * profile, the quality report) as bytes encoded once per snapshot and arguments, instead of
 * encoding its thousands of nested messages on every call.
 *
 * The seam: connect-es encodes whatever message a handler returns, and protobuf-es writes a
 * message's unknown fields verbatim. So the answer, all but its `meta` (whose age changes per
 * call), is encoded once and read back as the unknown fields of an empty message; each call
 * returns a message with only `meta` set and those fields attached, and the encoder copies
 * them out. Remembered by the identity of the query layer's answer, which the snapshot's memo
 * keeps (one object per snapshot and arguments), so the bytes live and die with it.
 *
 * The cost: it only works for the binary protocols (gRPC, gRPC-Web, Connect proto). A JSON
 * caller gets the message built and encoded as before, since JSON cannot carry raw fields;
 * and `meta` is written before the other fields, which protobuf allows in any order.
 */
export function encodedOnce<D extends DescMessage>(
  schema: D,
): (
  ctx: HandlerContext,
  answer: object,
  message: () => MessageInitShape<D>,
  meta: MessageInitShape<D>,
) => MessageInitShape<D> | MessageShape<D> {
  const encoded = new WeakMap<object, EncodedFields>();
  return (ctx, answer, message, meta) => {
    if (/json/i.test(ctx.requestHeader.get("content-type") ?? "")) {
      return { ...message(), ...meta };
    }
    let fields = encoded.get(answer);
    if (fields === undefined) {
      const bytes = toBinary(schema, create(schema, message()));
      fields = fromBinary(EmptySchema, bytes).$unknown ?? [];
      encoded.set(answer, fields);
    }
    const response = create(schema, meta);
    response.$unknown = fields;
    return response;
  };
}

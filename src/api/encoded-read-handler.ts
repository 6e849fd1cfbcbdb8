import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import type { ReadOptions } from "../../gen/customeranalytics/v1/common_pb.js";
import type { Question, ReadRouter } from "../query/read-router.js";
import { encodedOnce } from "./encoded-once.js";
import { askerFor } from "./read-options.js";

/**
 * A read RPC's whole handler for a big answer served as bytes encoded once (see
 * {@link encodedOnce}): the request's arguments asked of `router` under its ReadOptions, the
 * value mapped to the response only when it is first encoded, and its ResultMeta set per call.
 * The table profile, the quality report, the segment summary and the trends differ only in the
 * response schema, the question, the arguments and the mapping, so each is one call here rather
 * than the same ask-and-encode block again.
 */
export function encodedReadHandler<
  D extends DescMessage,
  Req extends { readOptions?: ReadOptions | undefined },
  A,
  R extends object,
>(
  router: ReadRouter,
  schema: D,
  question: Question<A, R>,
  args: (req: Req) => A,
  message: (value: R) => MessageInitShape<D>,
): (req: Req, ctx: HandlerContext) => Promise<MessageInitShape<D> | MessageShape<D>> {
  const ask = askerFor(router);
  const bytes = encodedOnce(schema);
  return async (req, ctx) => {
    const { value, meta } = await ask(question, args(req), req.readOptions);
    // Every read response carries its ResultMeta as `meta` (docs/architecture.md); TypeScript
    // cannot see that field through a generic schema, so the per-call part is typed here.
    const perCall = { meta } as unknown as MessageInitShape<D>;
    return bytes(ctx, value, () => message(value), perCall);
  };
}

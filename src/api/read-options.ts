import type { MessageInitShape } from "@bufbuild/protobuf";
import { durationFromMs, durationMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  DataSource,
  Freshness,
  type ReadOptions,
  type ResultMetaSchema,
} from "../../gen/customeranalytics/v1/common_pb.js";
import type { AnswerMeta, Question, ReadPolicy, ReadRouter } from "../query/read-router.js";

const freshnessOf: Readonly<Record<Freshness, ReadPolicy["freshness"]>> = {
  [Freshness.UNSPECIFIED]: "cached_allowed",
  [Freshness.CACHED_ALLOWED]: "cached_allowed",
  [Freshness.LIVE_REQUIRED]: "live_required",
  [Freshness.CACHE_ONLY]: "cache_only",
};

/** Turns a request's ReadOptions into the query layer's policy; absent options mean defaults. */
export function readPolicy(options: ReadOptions | undefined): ReadPolicy {
  return {
    freshness: freshnessOf[options?.freshness ?? Freshness.UNSPECIFIED],
    maxStalenessMs:
      options?.maxStaleness === undefined ? undefined : durationMs(options.maxStaleness),
  };
}

/** Turns the query layer's account of an answer into the ResultMeta every response carries. */
export function resultMeta(meta: AnswerMeta): MessageInitShape<typeof ResultMetaSchema> {
  return {
    source: meta.source === "live" ? DataSource.LIVE : DataSource.SNAPSHOT,
    snapshotId: meta.snapshotId,
    dataAsOf: timestampFromDate(meta.dataAsOf),
    age: durationFromMs(meta.ageMs),
    staleFallback: meta.staleFallback,
    fallbackReason: meta.fallbackReason,
    sourceIdentity: meta.sourceIdentity,
    pendingWrites: meta.pendingWrites ?? 0,
    includesPendingWrites: meta.includesPendingWrites ?? false,
  };
}

/** An answer as a response carries it: the value, and its ResultMeta. */
export interface MessageAnswer<R> {
  readonly value: R;
  readonly meta: MessageInitShape<typeof ResultMetaSchema>;
}

/** Asks a question under a request's ReadOptions; see {@link askerFor}. */
export type Ask = <A, R>(
  question: Question<A, R>,
  args: A,
  options: ReadOptions | undefined,
) => Promise<MessageAnswer<R>>;

/**
 * How a service asks `router`: a question under a request's ReadOptions, answered with the
 * value and its ResultMeta. Every read RPC does these three steps (policy in, ask, meta out),
 * so a service method only says which question, with which arguments, and how the value maps
 * to a message.
 */
export function askerFor(router: ReadRouter): Ask {
  return async (question, args, options) => {
    const { value, meta } = await router.ask(question, args, readPolicy(options));
    return { value, meta: resultMeta(meta) };
  };
}

/**
 * A read RPC's whole handler: the request's arguments asked of `router` under its
 * ReadOptions, the value mapped to the response, and its ResultMeta added. Customer, product
 * and portfolio reads differ only in the question, the arguments and the mapping, so each is
 * one call here rather than the same ask-and-map block again.
 */
export function readHandler<Req extends { readOptions?: ReadOptions | undefined }, A, R, M>(
  router: ReadRouter,
  question: Question<A, R>,
  args: (req: Req) => A,
  message: (value: R) => M,
): (req: Req) => Promise<M & { meta: MessageInitShape<typeof ResultMetaSchema> }> {
  const ask = askerFor(router);
  return async (req) => {
    const { value, meta } = await ask(question, args(req), req.readOptions);
    return { ...message(value), meta };
  };
}

/** A decimal string as a double, for the `*_number` fields charts use; never for arithmetic. */
export function approx(decimal: string): number {
  return decimal === "" ? 0 : Number(decimal);
}

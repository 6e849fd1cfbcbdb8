import type { MessageInitShape } from "@bufbuild/protobuf";
import { durationFromMs, durationMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  DataSource,
  Freshness,
  type ReadOptions,
  type ResultMetaSchema,
} from "../../gen/customeranalytics/v1/common_pb.js";
import type { AnswerMeta, ReadPolicy } from "../query/read-router.js";

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
  };
}

/** A decimal string as a double, for the `*_number` fields charts use; never for arithmetic. */
export function approx(decimal: string): number {
  return decimal === "" ? 0 : Number(decimal);
}

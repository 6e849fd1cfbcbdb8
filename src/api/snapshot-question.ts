import type { Question } from "../query/read-router.js";

/**
 * A question only the snapshot answers (no live form): the analytics are derived while the
 * snapshot is built, so every analytics RPC asks this way. With `remember`, its answers are
 * kept per snapshot under that name, and `canonical` (when given) puts equivalent arguments in
 * one form first. The argument and answer types come from `snapshot` itself.
 */
export function snapshotQuestion<A, R>(
  snapshot: Question<A, R>["snapshot"],
  remember?: string,
  canonical?: Question<A, R>["canonical"],
): Question<A, R> {
  return {
    snapshot,
    ...(remember === undefined ? {} : { remember }),
    ...(canonical === undefined ? {} : { canonical }),
  };
}

/** A part of an in-memory index whose size it reports: a typed array or buffer, or a pool. */
export type HeldPart = { readonly byteLength: number } | { readonly bytes: number };

/**
 * The bytes `parts` hold, for the memory GetSyncStatus reports per index: each index sums its
 * typed arrays (`byteLength`) and its pools (`bytes`) the same way, so the sum is written once;
 * estimates of what no array holds (objects, strings) the index adds itself.
 */
export function bytesHeld(parts: readonly HeldPart[]): number {
  return parts.reduce((sum, part) => sum + ("bytes" in part ? part.bytes : part.byteLength), 0);
}

/**
 * Fills the gaps in the offsets of entries grouped by owner, in place. A load stores entries
 * sorted by owner and writes `offsets[owner + 1] = k + 1` after each entry `k`; an owner without
 * entries leaves a 0, which the running maximum turns into the end of the owner before, so that
 * owner `i`'s entries are always `offsets[i]` to `offsets[i + 1]` (none for a gap).
 */
export function fillOffsetGaps(offsets: Int32Array): void {
  for (let i = 1; i < offsets.length; i++) {
    offsets[i] = Math.max(offsets[i] ?? 0, offsets[i - 1] ?? 0);
  }
}

/**
 * The offsets of `owners` owners, gaps filled (see {@link fillOffsetGaps}): `offsets` itself when
 * it was sized for them, else a fresh zeroed array of `owners + 1` (an index that learns its
 * owners while loading starts from a placeholder and has written no entry when none were found).
 */
export function sealedOffsets(
  offsets: Int32Array<ArrayBuffer>,
  owners: number,
): Int32Array<ArrayBuffer> {
  const sealed = offsets.length === owners + 1 ? offsets : new Int32Array(owners + 1);
  fillOffsetGaps(sealed);
  return sealed;
}

/**
 * The known name nearest to `given` (case- and underscore-insensitive edit distance at most 3),
 * for the "did you mean" of a refused field, method or service name; undefined when none is
 * close enough to be a plausible typo.
 */
export function nearestName(given: string, names: readonly string[]): string | undefined {
  const a = fold(given);
  let best: { name: string; d: number } | undefined;
  for (const name of names) {
    const d = distance(a, fold(name));
    if (d <= 3 && (best === undefined || d < best.d)) best = { name, d };
  }
  return best?.name;
}

function fold(name: string): string {
  return name.toLowerCase().replace(/_/g, "");
}

/** Levenshtein distance, two rows at a time (the names are short). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

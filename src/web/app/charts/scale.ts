/** Series colours: distinct, readable on white, and in a fixed order so a group keeps its colour. */
export const PALETTE = [
  "#4f46e5",
  "#0d9488",
  "#f59e0b",
  "#e11d48",
  "#0284c7",
  "#7c3aed",
  "#65a30d",
  "#ea580c",
  "#db2777",
  "#475569",
] as const;

/** The colour of the `i`-th series. */
export function colour(i: number): string {
  return PALETTE[i % PALETTE.length] ?? "#4f46e5";
}

/** Round tick values covering [min, max]: steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(min: number, max: number, wanted = 5): number[] {
  const lo = Math.min(0, min);
  const hi = max <= lo ? lo + 1 : max;
  const raw = (hi - lo) / wanted;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const ticks: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 0.999; v += step) {
    ticks.push(Math.round(v / step) * step);
  }
  return ticks;
}

/** A linear map from [d0, d1] to [r0, r1]. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** At most `max` evenly spread indexes of `n` items, first and last included. */
export function sampleIndexes(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const step = (n - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => Math.round(i * step));
}

/** A colour between white-ish and `to` for t in [0, 1] (heat maps). */
export function shade(t: number): string {
  const x = Math.max(0, Math.min(1, t));
  const from = [238, 242, 255];
  const to = [49, 46, 129];
  const mix = from.map((c, i) => Math.round(c + ((to[i] ?? c) - c) * x));
  return `rgb(${mix.join(",")})`;
}

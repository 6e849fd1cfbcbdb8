import { s } from "../dom.js";
import { type AxisOptions, figure, frame, PARTIAL_NOTE, plotLeft } from "./frame.js";
import { colour } from "./scale.js";

/** One series of bars: a name and a value per category. */
export interface BarSeries {
  readonly name: string;
  readonly values: readonly (number | null)[];
}

/**
 * Vertical bars per category: side by side (grouped) or on top of one another (stacked, for
 * additive measures such as revenue by region). Each bar has a tooltip. The bars of a partial
 * period are faded.
 */
export function barChart(
  labels: readonly string[],
  series: readonly BarSeries[],
  options: AxisOptions & { readonly stacked?: boolean },
): HTMLElement {
  const stacked = options.stacked === true && series.length > 1;
  const width = options.width ?? 800;
  const left = plotLeft(width);
  const band = (width - 16 - left) / Math.max(1, labels.length);
  const xAt = (i: number) => left + band * (i + 0.5);
  const totals = labels.map((_, i) =>
    series.reduce((sum, x) => sum + Math.max(0, x.values[i] ?? 0), 0),
  );
  const values = series.flatMap((x) => x.values).filter((v): v is number => v !== null);
  const max = stacked ? Math.max(1e-9, ...totals) : Math.max(1e-9, ...values);
  const f = frame(options, [Math.min(0, ...values), max], labels, xAt);
  const gap = Math.min(4, band * 0.2);
  labels.forEach((label, i) => {
    const partial = options.partial?.[i] === true;
    let base = 0;
    series.forEach((x, k) => {
      const v = x.values[i] ?? 0;
      const inner = band - gap;
      const w = stacked ? inner : inner / series.length;
      const left = xAt(i) - inner / 2 + (stacked ? 0 : w * k);
      const from = stacked ? base : 0;
      const to = from + v;
      base = stacked ? to : base;
      const top = f.y(Math.max(from, to));
      const height = Math.max(0, Math.abs(f.y(from) - f.y(to)));
      f.plot.append(
        s(
          "rect",
          {
            x: left,
            y: top,
            width: Math.max(0.5, w),
            height,
            fill: colour(k),
            class: partial ? "bar partial" : "bar",
            rx: w > 6 ? 2 : 0,
          },
          s(
            "title",
            {},
            `${series.length > 1 ? `${x.name} · ` : ""}${label}: ${options.format(v)}${partial ? PARTIAL_NOTE : ""}`,
          ),
        ),
      );
    });
  });
  return figure(
    f.svg,
    series.map((x) => x.name),
    "bar-chart",
  );
}

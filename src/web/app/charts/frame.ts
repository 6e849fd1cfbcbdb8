import { type Child, h, s } from "../dom.js";
import { colour, linear, niceTicks, sampleIndexes } from "./scale.js";

/** The drawing area of a chart with axes, in viewBox units. */
export interface Frame {
  readonly svg: SVGSVGElement;
  readonly plot: SVGGElement;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  readonly y: (v: number) => number;
}

/** Options every x/y chart shares. */
export interface AxisOptions {
  readonly width?: number;
  readonly height?: number;
  readonly format: (v: number) => string;
  readonly title: string;
  /** How many x labels at most (default 8). */
  readonly xLabels?: number;
  /**
   * Per x label, whether its period is partial (the data ends inside it): drawn dashed and
   * hollow or faded, so the short last period does not read as a collapse.
   */
  readonly partial?: readonly boolean[];
}

/** The tooltip note of a partial period. */
export const PARTIAL_NOTE = " (partial: the data ends inside this period)";

/** The room left of the plot for y labels: less in small charts, where every unit counts. */
export function plotLeft(width: number): number {
  return width < 500 ? 40 : 64;
}

/**
 * An SVG with horizontal grid lines and y tick labels for [min, max], and x labels under the
 * given positions (at most eight, evenly spread). The SVG scales to its container's width.
 */
export function frame(
  options: AxisOptions,
  yRange: readonly [number, number],
  xLabels: readonly string[],
  xAt: (i: number) => number,
): Frame {
  const width = options.width ?? 800;
  const height = options.height ?? 300;
  const left = plotLeft(width);
  const right = width - 16;
  const top = 16;
  const bottom = height - 36;
  const ticks = niceTicks(yRange[0], yRange[1]);
  const y = linear(ticks[0] ?? 0, ticks.at(-1) ?? 1, bottom, top);
  const plot = s("g", { class: "plot" });
  const svg = s(
    "svg",
    {
      viewBox: `0 0 ${width} ${height}`,
      class: "chart",
      role: "img",
      "aria-label": options.title,
      preserveAspectRatio: "xMidYMid meet",
    },
    s("title", {}, options.title),
    ticks.map((t) =>
      s(
        "g",
        { class: "tick" },
        s("line", {
          x1: left,
          x2: right,
          y1: y(t),
          y2: y(t),
          class: t === 0 ? "axis" : "gridline",
        }),
        s("text", { x: left - 8, y: y(t) + 4, "text-anchor": "end" }, options.format(t)),
      ),
    ),
    sampleIndexes(xLabels.length, options.xLabels ?? 8).map((i) =>
      s(
        "text",
        { x: xAt(i), y: bottom + 22, "text-anchor": anchor(i, xLabels.length), class: "xlabel" },
        xLabels[i] ?? "",
      ),
    ),
    plot,
  );
  return { svg, plot, left, right, top, bottom, y };
}

/** The first and last x labels align inwards, so they never run off the chart's edges. */
function anchor(i: number, n: number): string {
  if (n > 1 && i === 0) return "start";
  if (n > 1 && i === n - 1) return "end";
  return "middle";
}

/** A legend under a chart: one swatch per series, in series order. */
export function legend(names: readonly string[]): HTMLElement | null {
  if (names.length < 2) return null;
  return h(
    "ul",
    { class: "legend" },
    names.map((name, i) => h("li", {}, swatch(i), name)),
  );
}

function swatch(i: number): Child {
  const box = s("svg", { viewBox: "0 0 10 10", class: "swatch", "aria-hidden": "true" });
  box.append(s("rect", { width: 10, height: 10, rx: 2, fill: colour(i) }));
  return box;
}

/** A chart and its legend, together. */
export function figure(svg: SVGSVGElement, names: readonly string[], testid?: string): HTMLElement {
  return h("figure", { class: "figure", "data-testid": testid }, svg, legend(names));
}

import { s } from "../dom.js";
import { colour } from "./scale.js";

/** One row of a horizontal bar chart. */
export interface HBar {
  readonly label: string;
  readonly value: number;
  /** Text at the bar's end; the value when absent. */
  readonly note?: string;
  readonly colour?: string;
}

/** The chart's width in viewBox units and the room for labels and notes. */
export interface HBarSize {
  readonly width: number;
  readonly labelWidth: number;
  readonly noteWidth: number;
}

/** Room between a label's end and its bar. */
const LABEL_GAP = 10;

/**
 * The widest a label character can be, in viewBox units: the labels' 13px font at 0.62 em, a
 * little more than the widest common glyphs of the system sans-serif fonts.
 */
const CHAR_WIDTH = 13 * 0.62;

/**
 * Shortens labels to the room left of the bars (with "…"), so a right-aligned label never runs
 * past the chart's left edge, where the SVG would clip its first letters.
 */
function fitLabel(room: number): (text: string) => string {
  const max = Math.max(3, Math.floor(room / CHAR_WIDTH));
  return (text) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
}

/**
 * Horizontal bars, one per row, labelled on the left with their value at the end: for segment
 * sizes, category totals and top values, where labels are long and order matters.
 */
export function hbarChart(
  rows: readonly HBar[],
  title: string,
  format: (v: number) => string,
  size: HBarSize = { width: 800, labelWidth: 190, noteWidth: 150 },
): SVGSVGElement {
  const rowHeight = 26;
  const { width, labelWidth, noteWidth } = size;
  const height = rows.length * rowHeight + 8;
  const max = Math.max(1e-9, ...rows.map((r) => r.value));
  const span = width - labelWidth - noteWidth;
  const shorten = fitLabel(labelWidth - LABEL_GAP);
  return s(
    "svg",
    { viewBox: `0 0 ${width} ${height}`, class: "chart hbar", role: "img", "aria-label": title },
    s("title", {}, title),
    rows.map((row, i) => {
      const y = 4 + i * rowHeight;
      const w = Math.max(row.value > 0 ? 2 : 0, (row.value / max) * span);
      return s(
        "g",
        { class: "hbar-row" },
        s(
          "text",
          { x: labelWidth - LABEL_GAP, y: y + 17, "text-anchor": "end", class: "hlabel" },
          shorten(row.label),
          s("title", {}, row.label),
        ),
        s("rect", {
          x: labelWidth,
          y: y + 3,
          width: span,
          height: rowHeight - 8,
          class: "track",
          rx: 4,
        }),
        s(
          "rect",
          {
            x: labelWidth,
            y: y + 3,
            width: w,
            height: rowHeight - 8,
            fill: row.colour ?? colour(0),
            rx: 4,
          },
          s("title", {}, `${row.label}: ${row.note ?? format(row.value)}`),
        ),
        s(
          "text",
          { x: labelWidth + w + 8, y: y + 17, class: "hnote" },
          row.note ?? format(row.value),
        ),
      );
    }),
  );
}

import { s } from "../dom.js";
import { shade } from "./scale.js";

/** One row of a heat map: a label and a value in [0, 1] per column (null = no cell). */
export interface HeatRow {
  readonly label: string;
  readonly note: string;
  readonly cells: readonly (number | null)[];
}

/**
 * A grid of cells shaded by value, rows labelled on the left (with a note such as the cohort
 * size) and columns on top; each cell shows its value when it is wide enough, and a tooltip.
 */
export function heatMap(
  columns: readonly string[],
  rows: readonly HeatRow[],
  title: string,
  format: (v: number) => string,
): SVGSVGElement {
  const labelWidth = 150;
  const cell = Math.max(22, Math.min(56, (800 - labelWidth) / Math.max(1, columns.length)));
  const rowHeight = 24;
  const width = labelWidth + cell * columns.length + 4;
  const height = 24 + rows.length * rowHeight;
  return s(
    "svg",
    { viewBox: `0 0 ${width} ${height}`, class: "chart heat", role: "img", "aria-label": title },
    s("title", {}, title),
    columns.map((c, j) =>
      s(
        "text",
        { x: labelWidth + cell * (j + 0.5), y: 16, "text-anchor": "middle", class: "xlabel" },
        c,
      ),
    ),
    rows.map((row, i) => {
      const y = 22 + i * rowHeight;
      return s(
        "g",
        {},
        s(
          "text",
          { x: labelWidth - 8, y: y + 16, "text-anchor": "end", class: "hlabel" },
          row.label,
          s("tspan", { class: "muted" }, ` ${row.note}`),
        ),
        row.cells.map((v, j) =>
          v === null
            ? null
            : s(
                "g",
                {},
                s(
                  "rect",
                  {
                    x: labelWidth + cell * j + 1,
                    y: y + 1,
                    width: cell - 2,
                    height: rowHeight - 2,
                    fill: shade(v),
                    rx: 3,
                  },
                  s("title", {}, `${row.label}, period ${columns[j]}: ${format(v)}`),
                ),
                cell >= 34
                  ? s(
                      "text",
                      {
                        x: labelWidth + cell * (j + 0.5),
                        y: y + 16,
                        "text-anchor": "middle",
                        class: v > 0.45 ? "cell light" : "cell",
                      },
                      format(v),
                    )
                  : null,
              ),
        ),
      );
    }),
  );
}

import { s } from "../dom.js";
import { type AxisOptions, figure, frame, PARTIAL_NOTE, plotLeft } from "./frame.js";
import { colour, linear } from "./scale.js";

/** One line: a name and a value per x label (null where undefined). */
export interface LineSeries {
  readonly name: string;
  readonly values: readonly (number | null)[];
}

/**
 * A line per series over shared x labels (periods). Gaps (null) break the line. Points get a
 * dot and a tooltip when there are few enough to tell apart; a tooltip per period always lists
 * every series' value there. A segment into a partial period is dashed and its dot hollow.
 */
export function lineChart(
  labels: readonly string[],
  series: readonly LineSeries[],
  options: AxisOptions,
): HTMLElement {
  const all = series.flatMap((x) => x.values).filter((v): v is number => v !== null);
  const width = options.width ?? 800;
  const x = linear(0, Math.max(1, labels.length - 1), plotLeft(width), width - 16);
  const f = frame(options, [Math.min(0, ...all), Math.max(1e-9, ...all)], labels, x);
  const partial = (i: number) => options.partial?.[i] === true;
  series.forEach((line, k) => {
    let d = "";
    let dashed = "";
    let pen = "M";
    line.values.forEach((v, i) => {
      if (v === null) {
        pen = "M";
        return;
      }
      const at = `${x(i).toFixed(1)},${f.y(v).toFixed(1)}`;
      const before = line.values[i - 1];
      if (partial(i) && pen === "L" && before !== null && before !== undefined) {
        dashed += `M${x(i - 1).toFixed(1)},${f.y(before).toFixed(1)}L${at}`;
        pen = "M";
      } else {
        d += `${pen}${at}`;
        pen = partial(i) ? "M" : "L";
      }
    });
    f.plot.append(s("path", { d, class: "line", stroke: colour(k), "data-series": line.name }));
    if (dashed !== "") {
      f.plot.append(s("path", { d: dashed, class: "line-partial", stroke: colour(k) }));
    }
    if (labels.length <= 60) {
      line.values.forEach((v, i) => {
        if (v === null) return;
        const note = partial(i) ? PARTIAL_NOTE : "";
        f.plot.append(
          s(
            "circle",
            {
              cx: x(i),
              cy: f.y(v),
              r: 3,
              fill: partial(i) ? "#fff" : colour(k),
              class: partial(i) ? "point partial" : "point",
              ...(partial(i) ? { stroke: colour(k) } : {}),
            },
            s("title", {}, `${line.name} · ${labels[i]}: ${options.format(v)}${note}`),
          ),
        );
      });
    }
  });
  const band = (f.right - f.left) / Math.max(1, labels.length);
  labels.forEach((period, i) => {
    const lines = series.map((line) => {
      const v = line.values[i];
      return `${line.name}: ${v === null || v === undefined ? "—" : options.format(v)}`;
    });
    f.plot.append(
      s(
        "rect",
        { x: x(i) - band / 2, y: f.top, width: band, height: f.bottom - f.top, class: "hover" },
        s("title", {}, [`${period}${partial(i) ? PARTIAL_NOTE : ""}`, ...lines].join("\n")),
      ),
    );
  });
  return figure(
    f.svg,
    series.map((x) => x.name),
    "line-chart",
  );
}

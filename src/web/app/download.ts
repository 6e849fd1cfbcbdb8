import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  ExportFormat,
  type ExportTableRequestSchema,
} from "../../../gen/customeranalytics/v1/export_pb.js";
import { api } from "./client.js";
import { h } from "./dom.js";
import { errorBox } from "./ui.js";

type ExportRequest = MessageInitShape<typeof ExportTableRequestSchema>;

const FORMATS: readonly (readonly [ExportFormat, string])[] = [
  [ExportFormat.CSV, "CSV"],
  [ExportFormat.NDJSON, "NDJSON"],
  [ExportFormat.PARQUET, "Parquet"],
];

/**
 * Streams an export (ExportTable), assembles its chunks into a Blob and hands it to the browser
 * as a download under the server's suggested file name. `onProgress` gets the share of bytes
 * received so far.
 */
export async function downloadExport(
  request: ExportRequest,
  onProgress: (fraction: number) => void,
): Promise<string> {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  let name = "export";
  let type = "application/octet-stream";
  for await (const res of api.exports.exportTable(request)) {
    if (res.info !== undefined) {
      name = res.info.fileName;
      type = res.info.contentType;
    }
    parts.push(new Uint8Array(res.chunk));
    const p = res.progress;
    if (p !== undefined && p.totalBytes > 0n)
      onProgress(Number(p.bytesSent) / Number(p.totalBytes));
  }
  const url = URL.createObjectURL(new Blob(parts, { type }));
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}

/**
 * A format picker and a Download button for what a page shows; the button reports progress
 * and any error in words beside it.
 */
export function downloadControl(what: string, request: () => ExportRequest): HTMLElement {
  const select = h(
    "select",
    { "aria-label": `Format of the ${what} download`, "data-testid": "download-format" },
    FORMATS.map(([value, text]) => h("option", { value: String(value) }, text)),
  );
  const status = h("span", { class: "download-status", "aria-live": "polite" });
  const button = h(
    "button",
    { type: "button", class: "ghost", "data-testid": "download" },
    "Download",
  );
  button.addEventListener("click", () => {
    button.disabled = true;
    status.replaceChildren("Preparing…");
    const format = Number(select.value) as ExportFormat;
    downloadExport({ ...request(), format }, (f) => {
      status.replaceChildren(`${Math.round(f * 100)}%`);
    })
      .then((name) => status.replaceChildren(`Saved ${name}`))
      .catch((err: unknown) => status.replaceChildren(errorBox(err) ?? ""))
      .finally(() => {
        button.disabled = false;
      });
  });
  return h("div", { class: "download", title: `Download the ${what}` }, select, button, status);
}

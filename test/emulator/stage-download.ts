/**
 * The stage-file download route, shaped as Google Cloud Storage's object API is used by the
 * driver in access-token mode: `HEAD` and `GET <endPoint>/<bucket>/<stage dir>/<path>` with
 * `Authorization: Bearer <token>`, where the token is the one a `GET` statement's answer
 * carried. The `failDownloads` and `truncateDownloads` faults apply to the GETs.
 *
 * @module
 */
import { createReadStream, statSync } from "node:fs";
import type { RequestContext } from "./context.js";
import { sendText } from "./http-util.js";

/** The path prefix the download route answers under (the GCS "endPoint" of a GET). */
export const STAGE_DOWNLOAD_PREFIX = "/__stage-files";

/** The bucket name stage locations use. */
export const STAGE_BUCKET = "emulator-stage";

/** Whether a request path belongs to the download route. */
export function isStageDownload(path: string): boolean {
  return path.startsWith(`${STAGE_DOWNLOAD_PREFIX}/${STAGE_BUCKET}/`);
}

/** Serves one stage file (HEAD: headers only). */
export function handleStageDownload(ctx: RequestContext): void {
  const { emulator, req, res, url } = ctx;
  const rest = decodeURIComponent(
    url.pathname.slice(`${STAGE_DOWNLOAD_PREFIX}/${STAGE_BUCKET}/`.length),
  );
  const slash = rest.indexOf("/");
  const auth = req.headers.authorization;
  const token = auth?.startsWith("Bearer ") ? auth.slice("Bearer ".length) : undefined;
  let file: string | undefined;
  try {
    file = emulator.stages.served(token, rest.slice(0, slash), rest.slice(slash + 1));
  } catch {
    file = undefined;
  }
  if (slash < 0 || file === undefined) {
    sendText(res, token === undefined ? 401 : 403, "no access to this stage file");
    return;
  }
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    sendText(res, 404, "no such stage file");
    return;
  }
  if (req.method === "HEAD") {
    res.writeHead(200, { "content-length": size, "content-type": "application/octet-stream" });
    res.end();
    return;
  }
  const stats = emulator.stats.stageDownloads;
  const failure = emulator.faults.takeDownloadFailure(url.pathname);
  if (failure !== undefined) {
    stats.failed += 1;
    sendText(res, failure, `emulated HTTP ${failure}`);
    return;
  }
  const keep = emulator.faults.takeDownloadTruncation(url.pathname, size);
  if (keep !== undefined) stats.truncated += 1;
  const length = keep ?? size;
  stats.served += 1;
  stats.bytes += length;
  res.writeHead(200, { "content-length": length, "content-type": "application/octet-stream" });
  if (length === 0) {
    res.end();
    return;
  }
  createReadStream(file, { start: 0, end: length - 1 }).pipe(res);
}

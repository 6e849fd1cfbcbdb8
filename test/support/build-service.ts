import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The compiled entry point the child-process tests run, as `npm start` and the image do. */
export const SERVICE_MAIN = "dist/src/main.js";

/**
 * Vitest's global setup: builds the service (`node scripts/build.mjs --if-stale`, the build
 * `npm start` runs) before any test, so that the tests that start the service as its own
 * process run the compiled JavaScript that production runs, never a stale copy of it.
 */
export default function setup(): void {
  const result = spawnSync(process.execPath, ["scripts/build.mjs", "--if-stale"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new Error(`the build failed:\n${result.stdout}${result.stderr}`);
  }
}

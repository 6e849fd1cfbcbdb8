import { fileURLToPath } from "node:url";

/** Whether this module runs compiled (`dist/src/project-root.js`) rather than from its source. */
const COMPILED = import.meta.url.endsWith("/dist/src/project-root.js");

/** The top of the project as a directory URL (ends in `/`). */
const ROOT_URL = new URL(COMPILED ? "../../" : "../", import.meta.url);

/**
 * A path below the top of the project (where package.json and data/ sit), such as
 * `projectPath("data/web/")`, the same whether the code runs from its sources (`src/`, under
 * tsx in tests and tools) or compiled (`dist/src/`, in production). Files that ship with the
 * code, the bundled demo data and the built dashboard, are found from here rather than from
 * the working directory, so the service starts from anywhere.
 */
export function projectPath(relative: string): string {
  return fileURLToPath(new URL(relative, ROOT_URL));
}

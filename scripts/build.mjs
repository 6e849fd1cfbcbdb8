// The production build: the service compiled by tsc into dist/ (tsconfig.build.json) and the
// dashboard bundled by esbuild into data/web/. Plain JavaScript, so that `npm start` can check
// whether a build is needed without any TypeScript loader.
//
//   node scripts/build.mjs             build
//   node scripts/build.mjs --if-stale  build only when dist/ is missing or older than a source
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Written last by a successful build; its age is the build's age. */
const STAMP = join(ROOT, "dist", ".built");
/** What a build reads: a change to any of these makes dist/ stale. */
const INPUTS = [
  "src",
  "gen",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "tsconfig.build.json",
];

/** The newest modification time (ms) of a file or of any file below a directory. */
function newest(path) {
  const info = statSync(path, { throwIfNoEntry: false });
  if (info === undefined) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

/** Whether dist/ or the bundled dashboard is missing, or older than one of the inputs. */
function stale() {
  const built = statSync(STAMP, { throwIfNoEntry: false });
  if (built === undefined || !existsSync(join(ROOT, "data", "web", "index.html"))) return true;
  return INPUTS.some((input) => newest(join(ROOT, input)) > built.mtimeMs);
}

/** Runs a development tool from node_modules/.bin; stops the build when it fails. */
function run(tool, args) {
  const result = spawnSync(join(ROOT, "node_modules", ".bin", tool), args, {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (result.status !== 0) {
    process.stderr.write(`build: ${tool} ${args.join(" ")} failed\n`);
    process.exit(result.status ?? 1);
  }
}

if (process.argv.includes("--if-stale") && !stale()) process.exit(0);
rmSync(join(ROOT, "dist"), { recursive: true, force: true });
run("tsc", ["-p", "tsconfig.build.json"]);
run("tsx", ["src/web/build.ts"]);
writeFileSync(STAMP, `${new Date().toISOString()}\n`);

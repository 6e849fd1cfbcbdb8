import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const APP = fileURLToPath(new URL("./app/", import.meta.url));

/** Where the server looks for the dashboard by default (see src/server/web-assets.ts). */
export const WEB_OUT_DIR = fileURLToPath(new URL("../../data/web/", import.meta.url));

/** An inline icon, so the browser asks the server for no favicon. */
const ICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='4' fill='%234f46e5'/%3E%3Cpath d='M8 3l5 5-5 5-5-5z' fill='%23fff'/%3E%3C/svg%3E";

/**
 * Builds the dashboard into `outDir`: the app and its styles bundled and minified by esbuild
 * under content-hashed names in `assets/` (cached forever by browsers), and an `index.html`
 * naming them (never cached). The build is written beside `outDir` and renamed into place, so
 * a running server never serves half of one.
 */
export async function buildWeb(outDir: string = WEB_OUT_DIR): Promise<{ files: string[] }> {
  const target = resolve(outDir);
  const staging = `${target}.building-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  const result = await build({
    entryPoints: { app: join(APP, "main.ts"), styles: join(APP, "styles.css") },
    outdir: join(staging, "assets"),
    entryNames: "[name]-[hash]",
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["chrome110", "firefox110", "safari16"],
    minify: true,
    sourcemap: "linked",
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file));
  const script = outputs.find((f) => f.startsWith("app-") && f.endsWith(".js"));
  const style = outputs.find((f) => f.startsWith("styles-") && f.endsWith(".css"));
  if (script === undefined || style === undefined)
    throw new Error("esbuild wrote no app or styles");
  await writeFile(join(staging, "index.html"), page(script, style));
  await mkdir(dirname(target), { recursive: true });
  await rm(target, { recursive: true, force: true });
  await rename(staging, target);
  return { files: ["index.html", ...outputs.map((f) => `assets/${f}`)] };
}

function page(script: string, style: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Customer analytics</title>
<link rel="icon" href="${ICON}">
<link rel="stylesheet" href="/assets/${style}">
<script type="module" src="/assets/${script}"></script>
</head>
<body><noscript>The dashboard needs JavaScript.</noscript></body>
</html>
`;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  const { files } = await buildWeb(out === undefined ? undefined : resolve(out));
  process.stdout.write(`dashboard built: ${files.join(", ")}\n`);
}

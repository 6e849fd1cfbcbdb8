import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeHealth, probeUrlFromEnv } from "../src/server/healthcheck.js";
import { type ChildService, startChildService } from "./support/child-service.js";
import { BASIC_FIXTURE } from "./support/test-service.js";

// No Docker engine runs here, so this checks what the image depends on without one: the
// Dockerfile's CMD is the command the child-process tests run (`node --import tsx
// src/main.ts`), its HEALTHCHECK command exits 0 against a serving service and 1 once it
// stopped, and everything the image runs imports only production dependencies (the runtime
// stage has `npm prune --omit=dev`).

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");

/** The JSON-array instruction `kind` (CMD or HEALTHCHECK … CMD) of the stage named `stage`. */
function instruction(stage: string, kind: "CMD" | "HEALTHCHECK"): string[] {
  const start = dockerfile.search(new RegExp(`^FROM \\S+ AS ${stage}$`, "m"));
  const rest = dockerfile.slice(start + 1);
  const end = rest.search(/^FROM /m);
  const body = (end < 0 ? rest : rest.slice(0, end)).replace(/\\\n\s*/g, " ");
  const line = body.split("\n").find((l) => l.startsWith(`${kind} `));
  const json = line?.slice(line.indexOf("["));
  if (json === undefined) throw new Error(`no ${kind} in stage ${stage}`);
  return JSON.parse(json) as string[];
}

/** Runs an image command here, with this Node for `node`, and returns its exit code. */
function run(command: string[], env: Record<string, string>): { code: number | null; out: string } {
  const [program, ...args] = command;
  const result = spawnSync(program === "node" ? process.execPath : (program as string), args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: "utf8",
    timeout: 20_000,
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

describe("the image's commands", () => {
  let child: ChildService;
  let port: string;
  const dataDir = mkdtempSync(join(tmpdir(), "ca-docker-"));

  beforeAll(async () => {
    child = await startChildService({
      SOURCE: "local",
      LOCAL_SOURCE_DIR: BASIC_FIXTURE,
      DATA_DIR: dataDir,
    });
    port = new URL(child.baseUrl).port;
  });

  afterAll(async () => {
    await child?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("starts the service the way the child-process tests do", () => {
    expect(instruction("runtime", "CMD")).toEqual(["node", "--import", "tsx", "src/main.ts"]);
    expect(instruction("emulator", "CMD")).toEqual([
      "node",
      "--import",
      "tsx",
      "test/emulator/main.ts",
    ]);
  });

  it("HEALTHCHECK exits 0 against a serving service and 1 once it has stopped", async () => {
    const healthcheck = instruction("runtime", "HEALTHCHECK");
    expect(healthcheck).toEqual(["node", "--import", "tsx", "src/server/healthcheck.ts"]);
    const serving = run(healthcheck, { PORT: port });
    expect(serving).toEqual({ code: 0, out: "SERVING\n" });
    const url = probeUrlFromEnv({ PORT: port });
    expect(url).toBe(child.baseUrl);
    expect(await probeHealth({ baseUrl: url })).toBe(true);
    const stopped = await child.stop(10_000);
    expect(stopped.code).toBe(0);
    expect(run(healthcheck, { PORT: port })).toEqual({ code: 1, out: "not serving\n" });
    expect(await probeHealth({ baseUrl: url, timeoutMs: 1_000 })).toBe(false);
    expect(probeUrlFromEnv({ TLS_CERT: "/c.pem" })).toBe("https://127.0.0.1:8080");
  });
});

describe("what the image runs needs only production dependencies", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };

  it.each(["src", "gen", "test/emulator"])("every package %s imports is a dependency", (dir) => {
    const missing = new Set<string>();
    // src/web is the browser dashboard: bundled at image build time, never run by Node.
    for (const file of tsFiles(join(ROOT, dir)).filter((f) => !f.includes("/src/web/"))) {
      const text = readFileSync(file, "utf8");
      const statics = text.matchAll(/^(?:import|export)\s[^;]*?\bfrom\s+"([^"]+)";/gms);
      const dynamics = text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g);
      for (const match of [...statics, ...dynamics]) {
        const spec = match[1] as string;
        if (spec.startsWith(".") || spec.startsWith("node:") || builtinModules.includes(spec)) {
          continue;
        }
        const name = spec.startsWith("@")
          ? spec.split("/").slice(0, 2).join("/")
          : (spec.split("/")[0] as string);
        if (!(name in pkg.dependencies)) missing.add(`${name} (${file.slice(ROOT.length)})`);
      }
    }
    expect([...missing]).toEqual([]);
  });
});

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

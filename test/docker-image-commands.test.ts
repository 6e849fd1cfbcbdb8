import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeHealth, probeUrlFromEnv } from "../src/server/healthcheck.js";
import { type EmulatorHandle, startEmulator } from "./emulator/index.js";
import { SERVICE_MAIN } from "./support/build-service.js";
import { type ChildService, startChildService } from "./support/child-service.js";
import { BASIC_FIXTURE } from "./support/test-service.js";

// What the image runs, checked without an engine (scripts/container-check.sh builds and runs
// the image itself with podman, outside `npm test`): the Dockerfile's CMD is the compiled
// command the child-process tests run (`node dist/src/main.js`), its HEALTHCHECK command exits
// 0 against a serving service and 1 once it stopped, the emulator's HEALTHCHECK follows
// EMULATOR_PORT, the runtime stage takes compiled code and production dependencies only, the
// build context is an allow-list, and compose publishes on loopback by default.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");

/** The instructions of the stage named `stage`, continuation lines joined, comments dropped. */
function stageLines(stage: string): string[] {
  const start = dockerfile.search(new RegExp(`^FROM \\S+ AS ${stage}$`, "m"));
  if (start < 0) throw new Error(`no stage ${stage}`);
  const rest = dockerfile.slice(start);
  const end = rest.slice(1).search(/^FROM /m);
  const body = (end < 0 ? rest : rest.slice(0, end + 1)).replace(/\\\n\s*/g, " ");
  return body.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
}

/** The JSON-array instruction `kind` (CMD or HEALTHCHECK … CMD) of the stage named `stage`. */
function instruction(stage: string, kind: "CMD" | "HEALTHCHECK"): string[] {
  const line = stageLines(stage).find((l) => l.startsWith(`${kind} `));
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

/** {@link run} without blocking this process, for a server running in it (the emulator). */
async function runAsync(command: string[], env: Record<string, string>): Promise<number | null> {
  const [program, ...args] = command;
  const child = spawn(program === "node" ? process.execPath : (program as string), args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: "ignore",
    timeout: 20_000,
  });
  const [code] = (await once(child, "exit")) as [number | null];
  return code;
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

  it("starts the compiled service the way the child-process tests do", () => {
    expect(instruction("runtime", "CMD")).toEqual(["node", SERVICE_MAIN]);
    expect(instruction("emulator", "CMD")).toEqual([
      "node",
      "--import",
      "tsx",
      "test/emulator/main.ts",
    ]);
  });

  it("HEALTHCHECK exits 0 against a serving service and 1 once it has stopped", async () => {
    const healthcheck = instruction("runtime", "HEALTHCHECK");
    expect(healthcheck).toEqual(["node", "dist/src/server/healthcheck.js"]);
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

describe("the emulator stage", () => {
  let emulator: EmulatorHandle;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, dataDir: BASIC_FIXTURE });
  });

  afterAll(async () => {
    await emulator?.close();
  });

  it("stands on the base image, without the service's VOLUME or port", () => {
    const lines = stageLines("emulator");
    expect(lines[0]).toBe(`FROM $\{NODE_IMAGE} AS emulator`);
    expect(lines.filter((l) => l.startsWith("VOLUME"))).toEqual([]);
    expect(lines.filter((l) => l.startsWith("EXPOSE"))).toEqual(["EXPOSE 8085"]);
  });

  it("HEALTHCHECK probes the port EMULATOR_PORT names", async () => {
    const healthcheck = instruction("emulator", "HEALTHCHECK");
    const env = { EMULATOR_PORT: String(emulator.port) };
    expect(await runAsync(healthcheck, env)).toBe(0);
    expect(await runAsync(healthcheck, { EMULATOR_PORT: "1" })).toBe(1);
  });
});

describe("the runtime stage", () => {
  const lines = stageLines("runtime");
  const copies = lines.filter((l) => l.startsWith("COPY "));

  it("is the default target (the last stage)", () => {
    const stages = [...dockerfile.matchAll(/^FROM \S+ AS (\S+)$/gm)].map((m) => m[1]);
    expect(stages.at(-1)).toBe("runtime");
  });

  it("copies compiled code, bundled data and pruned dependencies, no sources or tests", () => {
    expect(copies).toEqual([
      "COPY package.json ./",
      "COPY --from=production-deps /app/node_modules ./node_modules",
      "COPY --from=build /app/dist ./dist",
      "COPY data/raw/online-retail.csv.gz ./data/raw/online-retail.csv.gz",
      "COPY --from=build /app/data/web ./data/web",
    ]);
    expect(stageLines("production-deps")).toContain(
      "RUN npm prune --omit=dev --no-audit --no-fund",
    );
  });

  it("lets an arbitrary UID with group 0 write DATA_DIR", () => {
    const setup = lines.find((l) => l.startsWith("RUN mkdir -p /var/lib/customer-analytics"));
    expect(setup).toContain("chown node:0 /var/lib/customer-analytics");
    expect(setup).toContain("chmod 0770 /var/lib/customer-analytics");
    expect(lines).toContain("USER node");
  });
});

describe("the build context", () => {
  const patterns = readFileSync(join(ROOT, ".dockerignore"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"));

  /** Whether .dockerignore lets `path` into the context (an allow-list after `**`). */
  function sent(path: string): boolean {
    let included = true;
    for (const pattern of patterns) {
      const negated = pattern.startsWith("!");
      const glob = negated ? pattern.slice(1) : pattern;
      const matches =
        glob === "**" ||
        glob === path ||
        (glob.endsWith("/**") && path.startsWith(glob.slice(0, -2)));
      if (matches) included = negated;
    }
    return included;
  }

  it("holds every path the Dockerfile copies from it", () => {
    const sources = dockerfile
      .split("\n")
      .filter((l) => l.startsWith("COPY ") && !l.includes("--from="))
      .flatMap((l) => l.split(/\s+/).slice(1, -1));
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      const probe = source
        .replace(/\/$/, "")
        .concat(statSync(join(ROOT, source)).isDirectory() ? "/x" : "");
      expect(sent(probe), source).toBe(true);
    }
  });

  it("leaves out node_modules, dist, local data and coverage", () => {
    for (const path of [
      "node_modules/x",
      "dist/src/main.js",
      "data/bench/x",
      "coverage/x",
      ".git/x",
    ]) {
      expect(sent(path), path).toBe(false);
    }
  });
});

describe("docker-compose.yml", () => {
  const compose = readFileSync(join(ROOT, "docker-compose.yml"), "utf8");

  it("publishes the service on loopback unless told otherwise, with a memory limit", () => {
    expect(compose).toContain(`- "$\{ANALYTICS_PUBLISH:-127.0.0.1}:8080:8080"`);
    expect(compose).not.toMatch(/- "8080:8080"/);
    expect(compose).toMatch(/^ {4}mem_limit: \d+m$/m);
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

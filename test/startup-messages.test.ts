import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChildService } from "./support/child-service.js";
import { BASIC_FIXTURE } from "./support/test-service.js";

// What a person starting the service reads: a port another process holds stops start-up with
// exit 2 and one line naming PORT (no stack trace), and the first snapshot going live is
// logged as "ready" with the URLs to open.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "ca-startup-"));
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("start-up messages", () => {
  it("exits 2 with 'PORT n is in use' and no stack when the port is taken", async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const { port } = holder.address() as net.AddressInfo;
    try {
      const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          HOST: "127.0.0.1",
          PORT: String(port),
          LOG_LEVEL: "warn",
          SOURCE: "local",
          LOCAL_SOURCE_DIR: BASIC_FIXTURE,
          DATA_DIR: dataDir,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      const [code] = (await once(child, "exit")) as [number | null];
      expect(code, output).toBe(2);
      expect(output).toContain(`PORT ${port} is in use`);
      expect(output).not.toMatch(/\n\s+at\s|EADDRINUSE/);
    } finally {
      holder.close();
    }
  });

  it("logs 'ready' with the API, dashboard and API docs URLs when the first snapshot goes live", async () => {
    const child = await startChildService({
      LOG_LEVEL: "info",
      SOURCE: "local",
      LOCAL_SOURCE_DIR: BASIC_FIXTURE,
      DATA_DIR: await mkdtemp(join(dataDir, "ready-")),
    });
    try {
      const lines = child
        .output()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const ready = lines.filter((l) => l.msg === "ready");
      expect(ready).toHaveLength(1);
      expect(ready[0]).toMatchObject({
        api: child.baseUrl,
        dashboard: `${child.baseUrl}/`,
        docs: `${child.baseUrl}/docs`,
      });
    } finally {
      expect((await child.stop(10_000)).code).toBe(0);
    }
  });
});

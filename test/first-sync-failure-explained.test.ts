import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLoggedService } from "./support/logged-service.js";

// A first sync that fails: /readyz, the RPC errors and the log say what failed and when the
// next try is, and never that "the previous snapshot keeps serving" when there is none. A
// LOCAL_SOURCE_DIR that does not exist stops start-up with exit code 2, naming the variable.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
let sourceDir: string;
let dataDir: string;

beforeAll(async () => {
  sourceDir = await mkdtemp(join(tmpdir(), "ca-first-src-"));
  dataDir = await mkdtemp(join(tmpdir(), "ca-first-data-"));
  await writeFile(join(sourceDir, "customers.csv"), "customer_id,customer_name\nC1,Only a name\n");
});

afterAll(async () => {
  await rm(sourceDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

describe("a first sync that fails", () => {
  it("is explained by /readyz, the RPC errors and the log, with the next try", async () => {
    const running = await startLoggedService({ LOCAL_SOURCE_DIR: sourceDir, DATA_DIR: dataDir });
    try {
      const run = await running.service.syncer.sync("startup");
      expect(run.state).toBe("failed");
      const ready = await fetch(`${running.baseUrl}/readyz`);
      const why = await ready.text();
      expect(ready.status).toBe(503);
      expect(why).toContain(run.message);
      expect(why).toMatch(/the next try is at \d{4}-\d\d-\d\dT/);
      const error = await running
        .customers()
        .getCustomer({ customerId: "C001" })
        .then(
          () => "",
          (err: unknown) => String(err),
        );
      expect(error).toContain(run.message);
      expect(error).toMatch(/the next try is at/);
      expect(error).not.toMatch(/retry once the first sync has finished/);
      const messages = running.logs().map((r) => String(r.msg));
      expect(messages.some((m) => m.includes("previous snapshot keeps serving"))).toBe(false);
      expect(messages.some((m) => m.includes("no snapshot is serving until a sync succeeds"))).toBe(
        true,
      );
      expect(messages.some((m) => /it will be retried at \d{4}-/.test(m))).toBe(true);
    } finally {
      await running.close();
    }
  });

  it("LOCAL_SOURCE_DIR=/nonexistent stops start-up with exit 2", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: "0",
        DATA_DIR: dataDir,
        LOCAL_SOURCE_DIR: "/nonexistent",
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
    expect(code).toBe(2);
    expect(output).toContain("LOCAL_SOURCE_DIR=/nonexistent does not exist");
    expect(output).not.toMatch(/at .*\.ts:\d+/);
  });
});

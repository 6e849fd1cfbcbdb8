import { afterAll, describe, expect, it } from "vitest";
import { startTestService, type TestService } from "./support/test-service.js";

// The served snapshot's DuckDB gets SNAPSHOT_MEMORY_MB as its memory limit (512 MiB unset):
// without one, DuckDB may take 80 % of the machine, and its buffer pool stays resident beside
// the in-memory structures.

const running: TestService[] = [];

afterAll(async () => {
  await Promise.all(running.map((r) => r.close()));
});

/** DuckDB's memory limit as the served snapshot reports it, with `env` set. */
async function servedLimit(env: Record<string, string>): Promise<string> {
  const service = await startTestService(env);
  running.push(service);
  const read = await service.service.store.read(async (db) =>
    db.all("SELECT current_setting('memory_limit') AS m"),
  );
  return String(read?.value[0]?.m);
}

describe("the served snapshot's memory limit", () => {
  it("is SNAPSHOT_MEMORY_MB when set", async () => {
    expect(await servedLimit({ SNAPSHOT_MEMORY_MB: "100" })).toBe("95.3 MiB");
  });

  it("is 512 MB when unset", async () => {
    expect(await servedLimit({})).toBe("488.2 MiB");
  });
});

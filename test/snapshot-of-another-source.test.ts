import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLoggedService } from "./support/logged-service.js";
import { BASIC_FIXTURE } from "./support/test-service.js";

// Restarting with the same DATA_DIR and another source: the old source's snapshot is not
// served (not ready, /readyz says why) until a sync from the configured source succeeds, and
// every answer names the source identity its data came from.

let firstDir: string;
let secondDir: string;
let dataDir: string;

beforeAll(async () => {
  firstDir = await mkdtemp(join(tmpdir(), "ca-src-a-"));
  secondDir = await mkdtemp(join(tmpdir(), "ca-src-b-"));
  dataDir = await mkdtemp(join(tmpdir(), "ca-src-data-"));
  await cp(BASIC_FIXTURE, firstDir, { recursive: true });
});

afterAll(async () => {
  for (const dir of [firstDir, secondDir, dataDir]) await rm(dir, { recursive: true, force: true });
});

describe("a snapshot from another source", () => {
  it("is not served until the configured source's own sync succeeds", async () => {
    const first = await startLoggedService({ LOCAL_SOURCE_DIR: firstDir, DATA_DIR: dataDir });
    expect((await first.service.syncer.sync("startup")).state).toBe("succeeded");
    const oldId = first.service.store.live?.id ?? "";
    const answer = await first.customers().getCustomer({ customerId: "C001" });
    expect(answer.meta?.sourceIdentity).toBe(`local:${firstDir}`);
    await first.close();

    // The second directory is empty at first, so its sync fails and nothing may be served.
    const second = await startLoggedService({ LOCAL_SOURCE_DIR: secondDir, DATA_DIR: dataDir });
    try {
      expect(second.service.store.live).toBeUndefined();
      expect((await second.service.syncer.sync("startup")).state).toBe("failed");
      const ready = await fetch(`${second.baseUrl}/readyz`);
      const why = await ready.text();
      expect(ready.status).toBe(503);
      expect(why).toContain(`not the configured source local:${secondDir}`);
      expect(why).toMatch(/the last sync failed at .*; the next try is at /);
      const refused = await second
        .customers()
        .getCustomer({ customerId: "C001" })
        .then(
          () => "",
          (err: unknown) => String(err),
        );
      expect(refused).toMatch(/unavailable/);
      expect(refused).toContain(`local:${firstDir}`);
      expect(await readdir(join(dataDir, "snapshots"))).toContain(`${oldId}.duckdb`);

      await cp(BASIC_FIXTURE, secondDir, { recursive: true });
      expect((await second.service.syncer.sync("request")).state).toBe("succeeded");
      expect((await fetch(`${second.baseUrl}/readyz`)).status).toBe(200);
      const served = await second.customers().getCustomer({ customerId: "C001" });
      expect(served.meta?.sourceIdentity).toBe(`local:${secondDir}`);
      expect(served.meta?.snapshotId).not.toBe(oldId);
    } finally {
      await second.close();
    }
  });
});

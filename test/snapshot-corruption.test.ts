import { randomBytes } from "node:crypto";
import { cp, mkdtemp, open, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PortfolioService } from "../gen/customeranalytics/v1/portfolio_pb.js";
import { TrendService } from "../gen/customeranalytics/v1/trend_pb.js";
import { startLoggedService } from "./support/logged-service.js";
import { BASIC_FIXTURE } from "./support/test-service.js";

// A snapshot file whose bytes changed on disk is never served as healthy: at start-up its
// checksum fails, it is quarantined and rebuilt; found by a query, the snapshot is taken out of
// service (readiness off, UNAVAILABLE rather than INTERNAL or "no analytics tables") and rebuilt.

let sourceDir: string;
let dataDir: string;

beforeAll(async () => {
  sourceDir = await mkdtemp(join(tmpdir(), "ca-corrupt-src-"));
  dataDir = await mkdtemp(join(tmpdir(), "ca-corrupt-data-"));
  await cp(BASIC_FIXTURE, sourceDir, { recursive: true });
});

afterAll(async () => {
  await rm(sourceDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

const env = () => ({ LOCAL_SOURCE_DIR: sourceDir, DATA_DIR: dataDir });
const snapshotPath = (id: string) => join(dataDir, "snapshots", `${id}.duckdb`);

/** Overwrites up to 1 MB of random bytes in the middle of a file, past DuckDB's headers. */
async function corruptMiddle(path: string): Promise<void> {
  const size = (await stat(path)).size;
  const length = Math.min(1 << 20, Math.floor(size / 2));
  const handle = await open(path, "r+");
  try {
    await handle.write(randomBytes(length), 0, length, Math.floor((size - length) / 2));
  } finally {
    await handle.close();
  }
}

async function readyStatus(baseUrl: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${baseUrl}/readyz`);
  return { status: res.status, body: await res.text() };
}

describe("a corrupt snapshot file", () => {
  it("fails its checksum at start-up: quarantined, not served, rebuilt", async () => {
    const first = await startLoggedService(env());
    expect((await first.service.syncer.sync("startup")).state).toBe("succeeded");
    const badId = first.service.store.live?.id ?? "";
    await first.close();
    await corruptMiddle(snapshotPath(badId));

    const second = await startLoggedService(env());
    try {
      expect(second.service.store.live?.id).not.toBe(badId);
      const run = await second.service.syncer.sync("startup");
      expect(run.state).toBe("succeeded");
      expect(second.service.store.live?.id).toBe(run.runId);
      expect(await readdir(join(dataDir, "snapshots", "quarantine"))).toContain(`${badId}.duckdb`);
      expect(await readdir(join(dataDir, "snapshots"))).not.toContain(`${badId}.duckdb`);
      const errors = second.logs().filter((r) => Number(r.level) >= 50);
      expect(errors.some((r) => r.snapshot === badId && /checksum/.test(String(r.msg)))).toBe(true);
      expect((await readyStatus(second.baseUrl)).status).toBe(200);
    } finally {
      await second.close();
    }
  });

  it("found by a query: UNAVAILABLE, not ready, and rebuilt", async () => {
    const running = await startLoggedService(env());
    try {
      await running.service.syncer.sync("startup");
      const id = running.service.store.live?.id ?? "";
      expect(id).not.toBe("");
      const path = snapshotPath(id);
      const size = (await stat(path)).size;
      const handle = await open(path, "r+");
      await handle.write(randomBytes(size - 16384), 0, size - 16384, 16384);
      await handle.close();

      const transport = createGrpcTransport({ baseUrl: running.baseUrl });
      const failure = await createClient(TrendService, transport)
        .getTrends({})
        .then(
          () => undefined,
          (err: unknown) => ConnectError.from(err),
        );
      expect(failure?.code).toBe(Code.Unavailable);
      expect(failure?.rawMessage).toMatch(/corrupt/);
      expect(failure?.rawMessage).not.toMatch(/no analytics tables/);
      const ready = await readyStatus(running.baseUrl);
      expect(ready.status).toBe(503);
      expect(ready.body).toMatch(/corrupt/);

      await running.service.syncer.idle();
      const rebuilt = running.service.syncer.status.lastRun;
      expect(rebuilt?.trigger).toBe("recovery");
      expect(rebuilt?.state).toBe("succeeded");
      expect(running.service.store.live?.id).not.toBe(id);
      const portfolio = await createClient(PortfolioService, transport).getCustomerPortfolio({
        customerId: "C001",
      });
      expect(portfolio.meta?.snapshotId).toBe(running.service.store.live?.id);
      expect((await readyStatus(running.baseUrl)).status).toBe(200);
    } finally {
      await running.close();
    }
  });
});

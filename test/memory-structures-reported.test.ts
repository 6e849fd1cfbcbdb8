import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MemoryStructure, SyncService } from "../gen/customeranalytics/v1/sync_pb.js";
import { MEMORY_STRUCTURES } from "../src/query/warm-snapshot.js";
import { startTestService, type TestService } from "./support/test-service.js";

// Once a snapshot is live the service builds its in-memory structures (one after another) and
// GetSyncStatus reports each one, with its build time and its size, so an operator can see
// what the process holds and when the RPCs stopped answering by SQL.

let running: TestService;

beforeAll(async () => {
  running = await startTestService();
});

afterAll(async () => {
  await running.close();
});

describe("GetSyncStatus' memory structures", () => {
  it("lists every structure, built, with its build time and the bytes it holds", async () => {
    const sync = createClient(SyncService, createGrpcTransport({ baseUrl: running.baseUrl }));
    let structures: MemoryStructure[] = [];
    for (let tries = 0; tries < 500; tries++) {
      structures = (await sync.getSyncStatus({})).memoryStructures;
      const done = structures.length === MEMORY_STRUCTURES.length;
      if (done && structures.every((s) => s.state !== "building")) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(structures.map((s) => s.name).sort()).toEqual(
      MEMORY_STRUCTURES.map((k) => k.name).sort(),
    );
    for (const s of structures) {
      expect(s.state, s.name).toBe("ready");
      expect(s.buildTime, s.name).toBeDefined();
      expect(s.bytes, s.name).toBeGreaterThan(0n);
    }
  });
});

import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { CustomerService } from "../../gen/customeranalytics/v1/customer_pb.js";
import {
  type GetSyncStatusResponse,
  SyncService,
  SyncState,
} from "../../gen/customeranalytics/v1/sync_pb.js";
import { type ChildService, sleep, startChildService } from "./child-service.js";

/** The environment that points the service at an emulator with its default login. */
export function emulatorEnv(url: string): Record<string, string> {
  return {
    SNOWFLAKE_ACCOUNT: "emulator",
    SNOWFLAKE_USER: "analytics",
    SNOWFLAKE_PASSWORD: "emulator",
    SNOWFLAKE_DATABASE: "ANALYTICS",
    SNOWFLAKE_SCHEMA: "PUBLIC",
    SNOWFLAKE_ACCESS_URL: url,
  };
}

/** Starts a process with `ROLE` and a shared `PUBLISH_DIR`, each with its own `DATA_DIR`. */
export function startRole(
  role: "syncer" | "replica",
  dataDir: string,
  publishDir: string,
  env: Record<string, string>,
): Promise<ChildService> {
  return startChildService({
    ROLE: role,
    DATA_DIR: dataDir,
    PUBLISH_DIR: publishDir,
    PUBLISH_POLL: "1s",
    LOG_LEVEL: "info",
    ...env,
  });
}

/** GetSyncStatus of the process at `baseUrl` (Connect over HTTP/1.1, as a dashboard asks). */
export function syncStatus(baseUrl: string): Promise<GetSyncStatusResponse> {
  const client = createClient(SyncService, createConnectTransport({ baseUrl, httpVersion: "1.1" }));
  return client.getSyncStatus({}, { timeoutMs: 5_000 });
}

/** Starts a sync on the syncer and waits (bounded) until it succeeded; returns its run id. */
export async function syncNow(baseUrl: string, limitMs = 60_000): Promise<string> {
  const client = createClient(SyncService, createConnectTransport({ baseUrl, httpVersion: "1.1" }));
  for (;;) {
    // A run still finishing (the start-up sync ends just after its snapshot is ready) is joined,
    // not restarted: wait for it to end and ask again, so the run returned read the source now.
    const { run, joined } = await client.triggerSync({ force: true });
    const id = run?.runId ?? "";
    await until(limitMs, async () => {
      const last = (await syncStatus(baseUrl)).lastRun;
      if (last?.runId !== id || last.state === SyncState.RUNNING) return false;
      if (last.state !== SyncState.SUCCEEDED && !joined) {
        throw new Error(`sync ${id} ended: ${last.message}`);
      }
      return true;
    });
    if (!joined) return id;
  }
}

/**
 * Polls `check` every 100 ms until it holds; throws after `limitMs`, with the last error a
 * check threw (a process restarting refuses connections for a moment, which is not a failure).
 */
export async function until(limitMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + limitMs;
  let last = "";
  for (;;) {
    const held = await check().catch((err: unknown) => {
      last = String(err);
      return false;
    });
    if (held) return;
    if (Date.now() > deadline) throw new Error(`not so within ${limitMs} ms ${last}`.trim());
    await sleep(100);
  }
}

/** Calls made by a {@link hammer} and the ones that failed, with their messages. */
export interface HammerCount {
  ok: number;
  failed: number;
  errors: string[];
}

/**
 * Calls GetCustomer over gRPC on every process in `baseUrls`, one call after another per
 * process, until stopped, counting failures: what a load balancer's clients would see.
 */
export function hammer(baseUrls: readonly string[], customerId = "C002") {
  const count: HammerCount = { ok: 0, failed: 0, errors: [] };
  let running = true;
  const loops = baseUrls.map(async (baseUrl) => {
    const client = createClient(CustomerService, createGrpcTransport({ baseUrl }));
    while (running) {
      try {
        await client.getCustomer({ customerId }, { timeoutMs: 5_000 });
        count.ok += 1;
      } catch (err) {
        count.failed += 1;
        if (count.errors.length < 5) count.errors.push(`${baseUrl}: ${String(err)}`);
      }
      await sleep(20);
    }
  });
  return {
    count,
    async stop(): Promise<HammerCount> {
      running = false;
      await Promise.all(loops);
      return count;
    },
  };
}

/** The customer's name as the process at `baseUrl` answers it from its snapshot. */
export async function customerName(baseUrl: string, customerId = "C002"): Promise<string> {
  const client = createClient(CustomerService, createGrpcTransport({ baseUrl }));
  const answer = await client.getCustomer({ customerId }, { timeoutMs: 5_000 });
  return answer.customer?.customerName ?? "";
}

/** A customer as one process answers it: its name, and whether a pending write supplied it. */
export interface CustomerSeen {
  readonly name: string;
  readonly region: string;
  readonly pending: boolean;
}

/** GetCustomer on the process at `baseUrl`; undefined when it answers NOT_FOUND. */
export async function customerOn(
  baseUrl: string,
  customerId: string,
): Promise<CustomerSeen | undefined> {
  const client = createClient(CustomerService, createGrpcTransport({ baseUrl }));
  try {
    const answer = await client.getCustomer({ customerId }, { timeoutMs: 5_000 });
    return {
      name: answer.customer?.customerName ?? "",
      region: answer.customer?.region ?? "",
      pending: answer.meta?.includesPendingWrites ?? false,
    };
  } catch (err) {
    if (ConnectError.from(err).code === Code.NotFound) return undefined;
    throw err;
  }
}

/** The write log segments in `publishDir` written by the process with `pid` (all without it). */
export async function writeLogSegments(publishDir: string, pid?: number): Promise<string[]> {
  const names = await readdir(join(publishDir, "writes")).catch(() => [] as string[]);
  return names.filter((name) => pid === undefined || name.includes(`-${pid}-`)).sort();
}

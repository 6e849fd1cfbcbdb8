import * as http2 from "node:http2";
import type { DescMethodUnary } from "@bufbuild/protobuf";
import { createClient, type Transport } from "@connectrpc/connect";
import { SyncService } from "../../../gen/customeranalytics/v1/sync_pb.js";
import { build, plausibleInit } from "../hostile-values.js";
import { startTestService, type TestService } from "../test-service.js";
import { type Protocol, protocols } from "./fuzz-protocols.js";
import { BASE_TABLES, CALL_TIMEOUT_MS, METHODS } from "./fuzz-settings.js";

/** What the service held: the live snapshot and a count-and-hash checksum of the base tables. */
export interface DataState {
  readonly snapshotId: string;
  readonly checksum: string;
}

/** A service under fuzz and the clients that reach it. */
export interface FuzzTarget {
  readonly running: TestService;
  readonly baseUrl: string;
  readonly protos: Protocol[];
  /** A prior-knowledge h2c session for raw gRPC. */
  readonly session: http2.ClientHttp2Session;
  /** Page tokens the service issued, by method name, with the request that produced them. */
  readonly tokens: Map<string, { token: string; init: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** Starts a service with `env` and opens every client towards it. */
export async function startFuzzTarget(env: Record<string, string>): Promise<FuzzTarget> {
  const running = await startTestService(env);
  const session = http2.connect(running.baseUrl);
  session.on("error", () => {});
  return {
    running,
    baseUrl: running.baseUrl,
    protos: protocols(running.baseUrl),
    session,
    tokens: new Map(),
    async close() {
      session.close();
      await running.close();
    },
  };
}

/** Collects a page token from every listing (page size 1), to tamper with. */
export async function collectTokens(target: FuzzTarget): Promise<void> {
  const connect = target.protos[2]?.transport as Transport;
  for (const method of METHODS) {
    const pageToken = method.input.fields.find((f) => f.name === "page_token");
    const pageSize = method.input.fields.find((f) => f.name === "page_size");
    if (pageToken === undefined || pageSize === undefined || method.methodKind !== "unary") {
      continue;
    }
    const init = { ...plausibleInit(method.input), [pageSize.localName]: 1 };
    const res = (await connect.unary(
      method as DescMethodUnary,
      undefined,
      CALL_TIMEOUT_MS,
      undefined,
      build(method.input, init),
    )) as { message: { nextPageToken?: string } };
    const token = res.message.nextPageToken ?? "";
    if (token !== "") target.tokens.set(method.name, { token, init });
  }
}

/** The live snapshot id and a checksum of the three base tables. */
export async function dataState(target: FuzzTarget): Promise<DataState> {
  const sync = createClient(SyncService, target.protos[0]?.transport as Transport);
  const status = await sync.getSyncStatus({}, { timeoutMs: CALL_TIMEOUT_MS });
  const sql = BASE_TABLES.map(
    (t) => `SELECT '${t}' AS t, count(*)::VARCHAR AS n, sum(hash(x))::VARCHAR AS h FROM ${t} x`,
  ).join(" UNION ALL ");
  const read = await target.running.service.store.read((db) => db.all(`${sql} ORDER BY t`));
  return {
    snapshotId: status.liveSnapshot?.snapshotId ?? "",
    checksum: JSON.stringify(read?.value),
  };
}

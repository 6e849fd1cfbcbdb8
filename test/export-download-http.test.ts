import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { type Client, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ExportFormat,
  ExportService,
  type ExportTableRequestSchema,
} from "../gen/customeranalytics/v1/export_pb.js";
import { newKey, writeKeysFile } from "./support/auth-fixtures.js";
import { writeBankFixture } from "./support/bank-fixture.js";
import { receiveExport } from "./support/export-readback.js";
import { startTestService, type TestService } from "./support/test-service.js";

// GET /v1/exports/<table>.<format> is ExportTable for BI tools and curl: the same bytes, the
// same limits and the same credential, as one plain HTTP file named after the snapshot, with
// the snapshot id as ETag so an unchanged snapshot is not downloaded twice.

const CAP = 2500;
const reader = newKey("bi-tool", "reader");
let running: TestService;
let client: Client<typeof ExportService>;
let sourceDir: string;
let scratch: string;

beforeAll(async () => {
  sourceDir = await writeBankFixture(2000);
  scratch = await mkdtemp(join(tmpdir(), "ca-download-"));
  running = await startTestService({
    LOCAL_SOURCE_DIR: sourceDir,
    MAX_EXPORT_ROWS: String(CAP),
    API_KEYS_FILE: await writeKeysFile(scratch, [reader]),
  });
  client = createClient(
    ExportService,
    createConnectTransport({
      baseUrl: running.baseUrl,
      httpVersion: "1.1",
      interceptors: [
        (next) => (req) => {
          req.header.set("authorization", `Bearer ${reader.key}`);
          return next(req);
        },
      ],
    }),
  );
});

afterAll(async () => {
  await running?.close();
  await rm(sourceDir, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${reader.key}` };

function get(path: string, headers: Record<string, string> = auth): Promise<Response> {
  return fetch(`${running.baseUrl}${path}`, { headers });
}

type ExportRequest = MessageInitShape<typeof ExportTableRequestSchema>;

const CASES: readonly [path: string, request: ExportRequest][] = [
  ["/v1/exports/customers.csv", { table: "customers", format: ExportFormat.CSV }],
  ["/v1/exports/products.ndjson", { table: "products", format: ExportFormat.NDJSON }],
  ["/v1/exports/products.parquet", { table: "products", format: ExportFormat.PARQUET }],
  [
    "/v1/exports/customers.csv?columns=customer_id,region&region=North&region=South",
    {
      table: "customers",
      format: ExportFormat.CSV,
      columns: ["customer_id", "region"],
      filters: [{ column: "region", values: ["North", "South"] }],
    },
  ],
];

describe("GET /v1/exports/<table>.<format>", () => {
  for (const [path, request] of CASES) {
    it(`streams the bytes ExportTable streams: ${path}`, async () => {
      const res = await get(path);
      expect(res.status).toBe(200);
      const body = Buffer.from(await res.arrayBuffer());
      const rpc = await receiveExport(client, request);
      expect(body.equals(rpc.bytes)).toBe(true);
      expect(body.length).toBeGreaterThan(0);
      const snapshot = rpc.info.meta?.snapshotId ?? "";
      expect(snapshot).not.toBe("");
      expect(res.headers.get("content-type")).toBe(rpc.info.contentType);
      expect(res.headers.get("content-length")).toBe(String(body.length));
      expect(res.headers.get("etag")).toBe(`"${snapshot}"`);
      expect(res.headers.get("content-disposition")).toBe(
        `attachment; filename="${rpc.info.fileName}"`,
      );
      expect(rpc.info.fileName).toContain(snapshot);
    });
  }

  it("answers 304 Not Modified to If-None-Match with the snapshot id, and 200 otherwise", async () => {
    const first = await get("/v1/exports/customers.csv");
    const tag = first.headers.get("etag") ?? "";
    await first.arrayBuffer();
    const again = await get("/v1/exports/customers.csv", { ...auth, "if-none-match": tag });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(tag);
    expect(await again.text()).toBe("");
    const other = await get("/v1/exports/customers.csv", { ...auth, "if-none-match": '"s-old"' });
    expect(other.status).toBe(200);
    await other.arrayBuffer();
  });

  it("needs the same credential as ExportTable, with a Connect error body", async () => {
    const res = await get("/v1/exports/customers.csv", {});
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    expect(((await res.json()) as { code: string }).code).toBe("unauthenticated");
    const tag = `"${running.service.store.live?.id ?? ""}"`;
    const cached = await get("/v1/exports/customers.csv", { "if-none-match": tag });
    expect(cached.status).toBe(401);
  });

  it("keeps ExportTable's rules and limits: bad filters, bad tables, the row cap", async () => {
    const badColumn = await get("/v1/exports/customers.csv?shoe_size=42");
    expect(badColumn.status).toBe(400);
    const body = (await badColumn.json()) as { code: string; message: string };
    expect(body.code).toBe("invalid_argument");
    expect(body.message).toContain("shoe_size");
    const badTable = await get("/v1/exports/Customers!.csv");
    expect(badTable.status).toBe(400);
    expect(((await badTable.json()) as { message: string }).message).toContain("table");
    const format = await get("/v1/exports/customers.xlsx");
    expect(format.status).toBe(404);
    expect(((await format.json()) as { message: string }).message).toContain(
      "csv, ndjson, parquet",
    );
    const capped = await get("/v1/exports/customer_products.csv");
    const rpc = await receiveExport(client, { table: "customer_products" }).catch((e: unknown) =>
      ConnectError.from(e),
    );
    expect(rpc).toBeInstanceOf(ConnectError);
    expect(capped.status).toBe(429);
    expect(((await capped.json()) as { message: string }).message).toBe(
      (rpc as ConnectError).rawMessage,
    );
  });

  it("leaves no temporary file behind, even when the client goes away mid-file", async () => {
    const dir = join(running.dataDir, "exports");
    const files = async () => (existsSync(dir) ? await readdir(dir) : []);
    expect(await files()).toEqual([]);
    const abort = new AbortController();
    const res = await fetch(`${running.baseUrl}/v1/exports/customers.ndjson`, {
      headers: auth,
      signal: abort.signal,
    });
    expect(Number(res.headers.get("content-length"))).toBeGreaterThan(256 * 1024);
    const reader = res.body?.getReader();
    await reader?.read();
    abort.abort();
    await expect.poll(files, { timeout: 15_000 }).toEqual([]);
    const after = await get("/v1/exports/customers.csv");
    expect(after.status).toBe(200);
    await after.arrayBuffer();
  });
});

describe.runIf(existsSync("/usr/bin/curl"))("curl -OJ", () => {
  it("saves the file under the name the server gives, then gets 304 with If-None-Match", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ca-curl-"));
    const url = `${running.baseUrl}/v1/exports/customers.csv`;
    const header = `Authorization: Bearer ${reader.key}`;
    const out = await run("curl", ["-s", "-OJ", "-H", header, "-D", "-", url], dir);
    const tag = /^etag: (.+)$/im.exec(out)?.[1]?.trim() ?? "";
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^customers-.+\.csv$/);
    expect(tag).toContain(running.service.store.live?.id ?? "missing");
    const saved = await readFile(join(dir, files[0] ?? ""), "utf8");
    expect(saved.split("\n")[0]).toContain("customer_id");
    const code = await run(
      "curl",
      [
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "-H",
        header,
        "-H",
        `If-None-Match: ${tag}`,
        url,
      ],
      dir,
    );
    expect(code).toBe("304");
    await rm(dir, { recursive: true, force: true });
  });
});

function run(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout: 30_000 }, (error, stdout) =>
      error === null ? resolve(stdout) : reject(error),
    );
  });
}

import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExportFormat, ExportService } from "../gen/customeranalytics/v1/export_pb.js";
import { writeBankFixture } from "./support/bank-fixture.js";
import {
  BASE_TYPES,
  directExport,
  ORDER,
  ReadBack,
  receiveExport,
} from "./support/export-readback.js";
import { startTestService, type TestService } from "./support/test-service.js";

// ExportTable end to end over Connect: every format of every table read back with DuckDB equals
// its source (CSV and NDJSON byte for byte against DuckDB's own COPY of the source rows),
// filters and column choices, bad requests naming their field, the row cap, and the temporary
// file gone after every export, including one the client abandons mid-stream.

const FORMATS = [ExportFormat.CSV, ExportFormat.NDJSON, ExportFormat.PARQUET] as const;
const CAP = 100_000;

let running: TestService;
let client: Client<typeof ExportService>;
let back: ReadBack;
let sourceDir: string;
let scratch: string;

beforeAll(async () => {
  sourceDir = await writeBankFixture(3000);
  scratch = await mkdtemp(join(tmpdir(), "ca-export-"));
  running = await startTestService({ LOCAL_SOURCE_DIR: sourceDir, MAX_EXPORT_ROWS: String(CAP) });
  client = createClient(
    ExportService,
    createConnectTransport({ baseUrl: running.baseUrl, httpVersion: "1.1" }),
  );
  back = await ReadBack.open(sourceDir, scratch);
});

afterAll(async () => {
  back?.close();
  await running?.close();
  await rm(sourceDir, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
});

const exportsDir = () => join(running.dataDir, "exports");

describe("base tables round-trip in every format", () => {
  for (const table of ["customers", "products", "customer_products"]) {
    for (const format of FORMATS) {
      it(`${table} as ${ExportFormat[format]}`, async () => {
        const got = await receiveExport(client, { table, format });
        const types = BASE_TYPES[table] ?? {};
        expect(got.info.columns).toEqual(Object.keys(types));
        expect(Number(got.info.totalBytes)).toBe(got.bytes.length);
        const rows = await back.rows(got, types, ORDER[table] ?? "1");
        const source = await back.source(`SELECT * FROM ${table} ORDER BY ${ORDER[table]}`);
        expect(rows).toEqual(source);
        expect(Number(got.info.totalRows)).toBe(source.length);
        if (format !== ExportFormat.PARQUET) {
          const expected = await back.duckdbCopy(
            table,
            format === ExportFormat.CSV ? "csv" : "json",
          );
          expect(Buffer.from(got.bytes).equals(expected)).toBe(true);
        }
        const last = got.progress.at(-1);
        expect(last).toEqual({
          rows: source.length,
          bytes: got.bytes.length,
          totalRows: source.length,
        });
        expect(await readdir(exportsDir())).toEqual([]);
      });
    }
  }

  it("decimals keep their exact digits: strings in NDJSON, DECIMAL(15,2) in Parquet", async () => {
    const ndjson = await receiveExport(client, {
      table: "customer_products",
      format: ExportFormat.NDJSON,
    });
    const first = JSON.parse(new TextDecoder().decode(ndjson.bytes).split("\n")[0] ?? "{}");
    expect(typeof first.value).toBe("string");
    expect(first.value).toMatch(/^\d+\.\d{2}$/);
    const parquet = await receiveExport(client, {
      table: "customer_products",
      format: ExportFormat.PARQUET,
    });
    expect((await back.types(parquet)).value).toBe("DECIMAL(15,2)");
  });

  it("a multi-chunk CSV reports rows sent that only grow, inside the quoting", async () => {
    const got = await receiveExport(client, { table: "customer_products" });
    expect(got.progress.length).toBeGreaterThan(1);
    const rows = got.progress.map((p) => p.rows);
    expect([...rows].sort((a, b) => a - b)).toEqual(rows);
    const text = new TextDecoder().decode(got.bytes.subarray(0, got.progress[0]?.bytes));
    expect(rows[0]).toBe(text.split("\n").length - 2);
  });
});

describe("analytics results round-trip in every format", () => {
  for (const [table, stored] of [
    ["recommendations", "recommendations"],
    ["segments", "customer_rfm"],
    ["trends", "trend_rollup"],
  ] as const) {
    it(table, async () => {
      const filters =
        table === "trends" ? [{ column: "granularity", values: ["month", "quarter"] }] : [];
      const [csv, ndjson, parquet] = await Promise.all(
        FORMATS.map((format) => receiveExport(client, { table, format, filters })),
      );
      if (csv === undefined || ndjson === undefined || parquet === undefined)
        throw new Error("no export");
      const types = await back.types(parquet);
      const order = ORDER[table] ?? "1";
      const fromParquet = await back.rows(parquet, types, order);
      expect(await back.rows(csv, types, order)).toEqual(fromParquet);
      expect(await back.rows(ndjson, types, order)).toEqual(fromParquet);
      const live = running.service.store.live?.tables.find((t) => t.table === stored)?.rows ?? 0;
      if (table === "trends") expect(fromParquet.length).toBeLessThan(live);
      else expect(fromParquet.length).toBe(live);
      expect(fromParquet.length).toBe(Number(parquet.info.totalRows));
    });
  }
});

describe("filters and columns", () => {
  it("keeps the rows matching every filter, with the columns asked for, in that order", async () => {
    const got = await receiveExport(client, {
      table: "customers",
      columns: ["region", "customer_id"],
      filters: [
        { column: "region", values: ["North", "East"] },
        { column: "status", values: ["active"] },
      ],
    });
    expect(new TextDecoder().decode(got.bytes).split("\n")[0]).toBe("region,customer_id");
    const rows = await back.rows(got, { region: "VARCHAR", customer_id: "VARCHAR" }, "customer_id");
    const source = await back.source(
      `SELECT region, customer_id FROM customers
       WHERE region IN ('North', 'East') AND status = 'active' ORDER BY customer_id`,
    );
    expect(rows).toEqual(source);
    expect(rows.length).toBeGreaterThan(100);
  });

  it("filters relationships and recommendations by id", async () => {
    const held = await receiveExport(client, {
      table: "customer_products",
      format: ExportFormat.PARQUET,
      filters: [{ column: "customer_id", values: ["C00001", "C00002"] }],
    });
    const rows = await back.rows(held, {}, "relationship_id");
    expect(rows).toEqual(
      await back.source(
        "SELECT * FROM customer_products WHERE customer_id IN ('C00001', 'C00002') ORDER BY relationship_id",
      ),
    );
    const recs = await receiveExport(client, {
      table: "recommendations",
      format: ExportFormat.NDJSON,
      columns: ["product_id", "because_product_ids"],
      filters: [{ column: "customer_id", values: ["C00001"] }],
    });
    const lines = new TextDecoder()
      .decode(recs.bytes)
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({
      product_id: "P04",
      because_product_ids: expect.arrayContaining(["P01"]),
    });
  });

  it("an export matching nothing is a file with only its header", async () => {
    const got = await receiveExport(client, {
      table: "customers",
      filters: [{ column: "region", values: ["Atlantis"] }],
    });
    expect(new TextDecoder().decode(got.bytes)).toBe(
      "customer_id,customer_name,customer_type,region,registration_date,status\n",
    );
    expect(Number(got.info.totalRows)).toBe(0);
  });
});

describe("bad requests and limits", () => {
  const cases: [string, Parameters<typeof receiveExport>[1], Code, string][] = [
    ["unknown table", { table: "secrets" }, Code.InvalidArgument, "table"],
    ["table not an identifier", { table: "customers; drop" }, Code.InvalidArgument, "table"],
    [
      "unknown column",
      { table: "customers", columns: ["customer_id", "salary"] },
      Code.InvalidArgument,
      "columns[1]",
    ],
    [
      "column of another table",
      { table: "products", columns: ["customer_id"] },
      Code.InvalidArgument,
      "columns[0]",
    ],
    [
      "filter on a column not allowed",
      { table: "customers", filters: [{ column: "customer_name", values: ["x"] }] },
      Code.InvalidArgument,
      "filters[0].column",
    ],
    [
      "filter without values",
      { table: "customers", filters: [{ column: "region", values: [] }] },
      Code.InvalidArgument,
      "filters[0].values",
    ],
    [
      "undefined format",
      { table: "customers", format: 9 as ExportFormat },
      Code.InvalidArgument,
      "format",
    ],
    [
      "more rows than MAX_EXPORT_ROWS",
      { table: "trends" },
      Code.ResourceExhausted,
      "MAX_EXPORT_ROWS",
    ],
  ];
  for (const [name, request, code, field] of cases) {
    it(name, async () => {
      const err = await receiveExport(client, request).then(
        () => undefined,
        (e: unknown) => ConnectError.from(e),
      );
      expect(err?.code).toBe(code);
      expect(err?.rawMessage).toContain(field);
      expect(await readdir(exportsDir())).toEqual([]);
    });
  }
});

describe("cancellation", () => {
  it("an aborted call removes its file before the next chunk", async () => {
    const { ctx, stream } = directExport(running.service.store, CAP);
    await stream.next();
    expect(await readdir(exportsDir())).toHaveLength(1);
    ctx.abort();
    await expect(stream.next()).rejects.toThrow();
    expect(await readdir(exportsDir())).toEqual([]);
  });

  it("a stream closed by its consumer removes its file", async () => {
    const { stream } = directExport(running.service.store, CAP);
    await stream.next();
    expect(await readdir(exportsDir())).toHaveLength(1);
    await stream.return?.(undefined);
    expect(await readdir(exportsDir())).toEqual([]);
  });

  it("a client that goes away mid-stream stops the export and frees its file", async () => {
    const abort = new AbortController();
    const request = {
      table: "trends",
      filters: [
        { column: "granularity", values: ["day"] },
        { column: "region", values: ["North"] },
      ],
    };
    let received = 0;
    let total = 0;
    const stream = client.exportTable(request, { signal: abort.signal });
    await expect(
      (async () => {
        for await (const res of stream) {
          received += res.chunk.length;
          total = Number(res.info?.totalBytes ?? total);
          abort.abort();
        }
      })(),
    ).rejects.toThrow();
    expect(received).toBeGreaterThan(0);
    expect(total).toBeGreaterThan(received * 4);
    await expect.poll(() => readdir(exportsDir()), { timeout: 5000 }).toEqual([]);
    const again = await receiveExport(client, { table: "products" });
    expect(Number(again.info.totalRows)).toBe(16);
  });
});

import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { type Client, createHandlerContext } from "@connectrpc/connect";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import {
  type ExportInfo,
  ExportService,
  ExportTableRequestSchema,
} from "../../gen/customeranalytics/v1/export_pb.js";
import { type ExportView, exportService } from "../../src/api/export-service.js";
import { connectionRunner, type SqlRow, type SqlRunner } from "../../src/snapshot/sql-runner.js";

/** A whole export as a client receives it: the description, the file and every progress seen. */
export interface ReceivedExport {
  readonly info: ExportInfo;
  readonly bytes: Uint8Array;
  readonly progress: readonly { rows: number; bytes: number; totalRows: number }[];
}

/** Calls ExportTable and assembles the stream, checking the invariants every export keeps. */
export async function receiveExport(
  client: Client<typeof ExportService>,
  request: MessageInitShape<typeof ExportTableRequestSchema>,
): Promise<ReceivedExport> {
  let info: ExportInfo | undefined;
  const parts: Uint8Array[] = [];
  const progress: { rows: number; bytes: number; totalRows: number }[] = [];
  for await (const res of client.exportTable(request)) {
    if (res.info !== undefined) {
      if (info !== undefined) throw new Error("info was sent twice");
      info = res.info;
    }
    if (info === undefined) throw new Error("the first response carried no info");
    parts.push(res.chunk);
    const p = res.progress;
    if (p === undefined) throw new Error("a response carried no progress");
    progress.push({
      rows: Number(p.rowsSent),
      bytes: Number(p.bytesSent),
      totalRows: Number(p.totalRows),
    });
  }
  if (info === undefined) throw new Error("the stream was empty");
  return { info, bytes: Buffer.concat(parts), progress };
}

/** Reads exported files back with DuckDB, typed as the source, to compare with the source rows. */
export class ReadBack {
  private constructor(
    readonly db: SqlRunner,
    private readonly connection: DuckDBConnection,
    private readonly dir: string,
  ) {}

  /** An in-memory DuckDB holding the fixture's three CSV files as typed tables. */
  static async open(sourceDir: string, scratchDir: string): Promise<ReadBack> {
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    const db = connectionRunner(connection);
    for (const [table, types] of Object.entries(BASE_TYPES)) {
      const path = join(sourceDir, `${table}.csv`);
      await db.run(
        `CREATE TABLE ${table} AS SELECT * FROM read_csv(?, header = true, columns = ${struct(types)})`,
        [path],
      );
    }
    return new ReadBack(db, connection, scratchDir);
  }

  /** The rows of an exported file, typed with `types` (CSV and NDJSON) or as stored (Parquet). */
  async rows(
    exported: ReceivedExport,
    types: Readonly<Record<string, string>>,
    orderBy: string,
  ): Promise<SqlRow[]> {
    const [path, ext] = await this.#write(exported);
    const reader =
      ext === "csv"
        ? `read_csv(?, header = true, columns = ${struct(types)})`
        : ext === "ndjson"
          ? `read_json(?, format = 'newline_delimited', columns = ${struct(types)})`
          : "read_parquet(?)";
    return this.db.all(`SELECT * FROM ${reader} ORDER BY ${orderBy}`, [path]);
  }

  /** The column types a Parquet export carries, to read the other formats of it with. */
  async types(parquet: ReceivedExport): Promise<Record<string, string>> {
    const [path] = await this.#write(parquet);
    const rows = await this.db.all("DESCRIBE SELECT * FROM read_parquet(?)", [path]);
    return Object.fromEntries(rows.map((r) => [String(r.column_name), String(r.column_type)]));
  }

  async #write(exported: ReceivedExport): Promise<[string, string]> {
    const ext = exported.info.fileName.split(".").pop() ?? "bin";
    const path = join(this.dir, `readback-${Math.random().toString(36).slice(2)}.${ext}`);
    await writeFile(path, exported.bytes);
    return [path, ext];
  }

  /**
   * DuckDB's own COPY of a base table's source rows, in the snapshot's stored order (its key),
   * as bytes: what a byte-exact export must equal.
   */
  async duckdbCopy(table: string, format: "csv" | "json"): Promise<Buffer> {
    const path = join(this.dir, `expected-${table}.${format}`);
    const cols = Object.keys(BASE_TYPES[table] ?? {})
      .map((c) => (c === "value" && format === "json" ? `"value"::VARCHAR AS "value"` : `"${c}"`))
      .join(", ");
    const options = format === "csv" ? "FORMAT csv, HEADER true" : "FORMAT json";
    await this.db.run(
      `COPY (SELECT ${cols} FROM ${table} ORDER BY ${STORED_ORDER[table]}) TO '${path}' (${options})`,
    );
    return readFile(path);
  }

  /** The source rows of a select, for comparison. */
  source(sql: string, params: readonly string[] = []): Promise<SqlRow[]> {
    return this.db.all(sql, params);
  }

  close(): void {
    this.connection.closeSync();
  }
}

/** Column types of the base tables, as docs/data_sources.md gives them. */
export const BASE_TYPES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  customers: {
    customer_id: "VARCHAR",
    customer_name: "VARCHAR",
    customer_type: "VARCHAR",
    region: "VARCHAR",
    registration_date: "DATE",
    status: "VARCHAR",
  },
  products: {
    product_id: "VARCHAR",
    product_name: "VARCHAR",
    product_category: "VARCHAR",
    product_type: "VARCHAR",
    launch_date: "DATE",
    status: "VARCHAR",
  },
  customer_products: {
    relationship_id: "VARCHAR",
    customer_id: "VARCHAR",
    product_id: "VARCHAR",
    relationship_type: "VARCHAR",
    start_date: "DATE",
    end_date: "DATE",
    value: "DECIMAL(15,2)",
  },
};

/** A DuckDB struct literal of column types; names and types are the constants above. */
function struct(types: Readonly<Record<string, string>>): string {
  return `{${Object.entries(types)
    .map(([name, type]) => `'${name}': '${type}'`)
    .join(", ")}}`;
}

/** The order the snapshot stores each base table in (src/snapshot/snapshot-schema.ts). */
const STORED_ORDER: Readonly<Record<string, string>> = {
  customers: "customer_id",
  products: "product_id",
  customer_products: "customer_id, start_date DESC, relationship_id",
};

/** A total order per exported table, to compare read-back rows. */
export const ORDER: Readonly<Record<string, string>> = {
  customers: "customer_id",
  products: "product_id",
  customer_products: "relationship_id",
  recommendations: "customer_id, rank",
  segments: "customer_id",
  trends: "granularity, period_start, region, customer_type, all_categories, product_category",
};

/**
 * The ExportTable handler itself, driven by hand on `customer_products`, so a test can stop it
 * at a known point (after the first chunk) by aborting its context or closing the stream.
 */
export function directExport(store: ExportView["store"], maxRows: number) {
  const impl = exportService({
    store,
    maxRows,
    defaultMaxStalenessMs: 86_400_000,
    log: { warn: () => {} },
  });
  const ctx = createHandlerContext({
    service: ExportService,
    method: ExportService.method.exportTable,
    protocolName: "connect",
    requestMethod: "POST",
    url: "/customeranalytics.v1.ExportService/ExportTable",
  });
  const req = create(ExportTableRequestSchema, { table: "customer_products" });
  const stream = impl.exportTable?.(req, ctx)[Symbol.asyncIterator]();
  if (stream === undefined) throw new Error("no handler");
  return { ctx, stream };
}

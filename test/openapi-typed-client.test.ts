import { execFile } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import openapiTS from "openapi-typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService, type TestService } from "./support/test-service.js";

// The document must describe the real wire format, not only be valid: a client generated from
// the served /openapi.json (openapi-typescript + openapi-fetch) type-checks three calls, makes
// them against a real server, and every answer matches its schema in the document, with no
// property the document does not name.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIR = join(ROOT, "test-results", "openapi-client");
const TSC = join(ROOT, "node_modules", ".bin", "tsc");

/** The caller, written against the generated `paths` only: if it type-checks, the types fit. */
const CALLS = `import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

export async function callThree(baseUrl: string) {
  const client = createClient<paths>({ baseUrl });
  const customer = await client.POST("/customeranalytics.v1.CustomerService/GetCustomer", {
    body: { customerId: "C001" },
  });
  const list = await client.GET("/customeranalytics.v1.ProductService/ListProducts", {
    params: {
      query: {
        connect: "v1",
        encoding: "json",
        message: JSON.stringify({ productCategory: "banking", pageSize: 10 }),
      },
    },
  });
  const trends = await client.POST("/customeranalytics.v1.TrendService/GetTrends", {
    body: { metrics: ["TREND_METRIC_REVENUE"], granularity: "TREND_GRANULARITY_QUARTER" },
  });
  const missing = await client.POST("/customeranalytics.v1.CustomerService/GetCustomer", {
    body: { customerId: "NO-SUCH-CUSTOMER" },
  });
  const name: string | undefined = customer.data?.customer?.customerName;
  const code: string | undefined = missing.error?.code;
  return {
    name,
    code,
    bodies: [
      ["customeranalytics.v1.GetCustomerResponse", customer.response.status, customer.data],
      ["customeranalytics.v1.ListProductsResponse", list.response.status, list.data],
      ["customeranalytics.v1.GetTrendsResponse", trends.response.status, trends.data],
      ["connect.error", missing.response.status, missing.error],
    ] as const,
  };
}
`;

const TSCONFIG = {
  compilerOptions: {
    target: "es2022",
    lib: ["es2023", "dom"],
    module: "nodenext",
    moduleResolution: "nodenext",
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  },
  include: ["*.ts"],
};

interface CallResult {
  readonly name: string | undefined;
  readonly code: string | undefined;
  readonly bodies: readonly (readonly [string, number, unknown])[];
}

let running: TestService;
let doc: Record<string, unknown>;

beforeAll(async () => {
  running = await startTestService();
  doc = (await (await fetch(`${running.baseUrl}/openapi.json`)).json()) as Record<string, unknown>;
  await rm(DIR, { recursive: true, force: true });
  await mkdir(DIR, { recursive: true });
  await writeFile(
    join(DIR, "schema.ts"),
    await openapiTS(new URL(`${running.baseUrl}/openapi.json`)),
  );
  await writeFile(join(DIR, "calls.ts"), CALLS);
  await writeFile(join(DIR, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
});

afterAll(async () => {
  await running?.close();
});

function typeCheck(): Promise<string> {
  return new Promise((resolve) => {
    execFile(TSC, ["-p", join(DIR, "tsconfig.json")], { timeout: 60_000 }, (error, stdout) =>
      resolve(error === null ? "" : `${stdout}${error.message}`),
    );
  });
}

/** Every object schema with properties, closed: an answer with an unnamed property fails. */
function closed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(closed);
  if (value === null || typeof value !== "object") return value;
  const copy = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, closed(v)]));
  if (copy.type === "object" && copy.properties !== undefined) copy.additionalProperties = false;
  return copy;
}

describe("a client generated from /openapi.json", () => {
  it("type-checks calls written against the generated types", async () => {
    expect(await typeCheck()).toBe("");
  });

  it("calls three RPCs and gets answers the document describes", async () => {
    const calls = (await import(pathToFileURL(join(DIR, "calls.ts")).href)) as {
      callThree(baseUrl: string): Promise<CallResult>;
    };
    const result = await calls.callThree(running.baseUrl);
    expect(result.name).toBe("Alice Ltd");
    expect(result.code).toBe("not_found");
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    formats.default(ajv);
    for (const f of ["int32", "int64", "uint64", "double", "float"]) ajv.addFormat(f, true);
    ajv.addSchema({ $id: "openapi", components: closed(doc.components) });
    const statuses = result.bodies.map(([, status]) => status);
    expect(statuses).toEqual([200, 200, 200, 404]);
    for (const [schema, , body] of result.bodies) {
      const validate = ajv.getSchema(`openapi#/components/schemas/${schema}`);
      expect(validate, schema).toBeDefined();
      const ok = validate?.(body);
      expect(validate?.errors ?? [], `${schema}: ${JSON.stringify(body).slice(0, 300)}`).toEqual(
        [],
      );
      expect(ok).toBe(true);
    }
    const trends = result.bodies[2]?.[2] as { series?: unknown[] };
    expect(trends.series?.length).toBeGreaterThan(0);
  });
});

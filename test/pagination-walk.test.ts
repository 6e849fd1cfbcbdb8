import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { PortfolioService } from "../gen/customeranalytics/v1/portfolio_pb.js";
import { ProductService } from "../gen/customeranalytics/v1/product_pb.js";
import { startTestService, type TestService } from "./support/test-service.js";

// Keyset pagination must visit every row exactly once, in order, and end with an empty token:
// first on the hand-made fixture with tiny pages, then on a generated 2,500-customer source.

interface Page<T> {
  readonly items: readonly T[];
  readonly nextPageToken: string;
}

/**
 * Follows next_page_token from the first page to the last and checks the walk's shape: every
 * page but the last is full and has a token, the last has an empty one. Bounded by `maxPages`.
 */
async function walk<T>(
  pageSize: number,
  maxPages: number,
  fetchPage: (pageToken: string) => Promise<Page<T>>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let token = "";
  for (let pages = 1; pages <= maxPages; pages++) {
    const page = await fetchPage(token);
    items.push(...page.items);
    if (page.nextPageToken === "") {
      expect(page.items.length).toBeLessThanOrEqual(pageSize);
      return { items, pages };
    }
    expect(page.items.length, `page ${pages} is full`).toBe(pageSize);
    expect(page.nextPageToken).not.toBe(token);
    token = page.nextPageToken;
  }
  throw new Error(`no last page within ${maxPages} pages`);
}

/** Asserts a walk returned exactly `expected`, in order, without duplicates. */
function expectExactly(walked: readonly string[], expected: readonly string[]): void {
  expect(new Set(walked).size, "no duplicates").toBe(walked.length);
  expect(walked).toEqual(expected);
}

describe("the hand-made fixture, in pages of 1 and 2", () => {
  let running: TestService;
  let customers: ReturnType<typeof createClient<typeof CustomerService>>;
  let products: ReturnType<typeof createClient<typeof ProductService>>;
  let portfolios: ReturnType<typeof createClient<typeof PortfolioService>>;

  beforeAll(async () => {
    running = await startTestService();
    const transport = createConnectTransport({ baseUrl: running.baseUrl, httpVersion: "1.1" });
    customers = createClient(CustomerService, transport);
    products = createClient(ProductService, transport);
    portfolios = createClient(PortfolioService, transport);
  });

  afterAll(async () => {
    await running?.close();
  });

  for (const pageSize of [1, 2]) {
    it(`ListCustomers, page_size ${pageSize}`, async () => {
      const all = (await customers.listCustomers({})).customers.map((c) => c.customerId);
      expect(all).toEqual(["C001", "C002", "C003", "C004", "C005"]);
      const { items, pages } = await walk(pageSize, 10, async (pageToken) => {
        const res = await customers.listCustomers({ pageSize, pageToken });
        return { items: res.customers.map((c) => c.customerId), nextPageToken: res.nextPageToken };
      });
      expectExactly(items, all);
      expect(pages).toBe(Math.ceil(all.length / pageSize));
    });

    it(`ListCustomers with a filter, page_size ${pageSize}`, async () => {
      const { items } = await walk(pageSize, 10, async (pageToken) => {
        const res = await customers.listCustomers({ region: "North", pageSize, pageToken });
        return { items: res.customers.map((c) => c.customerId), nextPageToken: res.nextPageToken };
      });
      expectExactly(items, ["C001", "C003", "C005"]);
    });

    it(`ListProducts, page_size ${pageSize}`, async () => {
      const all = (await products.listProducts({})).products.map((p) => p.productId);
      expect(all).toEqual(["P01", "P02", "P03", "P04", "P05"]);
      const { items } = await walk(pageSize, 10, async (pageToken) => {
        const res = await products.listProducts({ pageSize, pageToken });
        return { items: res.products.map((p) => p.productId), nextPageToken: res.nextPageToken };
      });
      expectExactly(items, all);
    });

    it(`ListProductCustomers, page_size ${pageSize}`, async () => {
      for (const [productId, activeOnly, expected] of [
        ["P01", false, ["C001", "C002", "C005"]],
        ["P03", false, ["C001", "C003"]],
        ["P03", true, ["C001"]],
        ["P05", false, []],
      ] as const) {
        const all = (await products.listProductCustomers({ productId, activeOnly })).holders;
        expect(all.map((h) => h.customerId)).toEqual(expected);
        const { items } = await walk(pageSize, 10, async (pageToken) => {
          const res = await products.listProductCustomers({
            productId,
            activeOnly,
            pageSize,
            pageToken,
          });
          return { items: res.holders, nextPageToken: res.nextPageToken };
        });
        expectExactly(
          items.map((h) => h.customerId),
          all.map((h) => h.customerId),
        );
        expect(items).toEqual(all);
      }
    });

    it(`GetCustomerPortfolio holdings, page_size ${pageSize}`, async () => {
      for (const [customerId, asOf, activeOnly] of [
        ["C001", "", false],
        ["C002", "", false],
        ["C002", "", true],
        ["C002", "2023-01-01", false],
        ["C004", "", false],
        ["C005", "", false],
      ] as const) {
        const all = await portfolios.getCustomerPortfolio({ customerId, asOf, activeOnly });
        const { items } = await walk(pageSize, 10, async (pageToken) => {
          const res = await portfolios.getCustomerPortfolio({
            customerId,
            asOf,
            activeOnly,
            pageSize,
            pageToken,
          });
          // Totals cover every holding whatever the page.
          expect(res.totals).toEqual(all.totals);
          expect(res.categoryTotals).toEqual(all.categoryTotals);
          return { items: res.holdings, nextPageToken: res.nextPageToken };
        });
        expectExactly(
          items.map((h) => h.relationshipId),
          all.holdings.map((h) => h.relationshipId),
        );
        expect(items).toEqual(all.holdings);
      }
    });
  }
});

// A generated source: 2,500 customers whose ids do not sort numerically ("C10" < "C9"), with
// three id prefixes, five regions (one non-ASCII), names that need CSV quoting.

const CUSTOMERS = 2_500;
const REGIONS = ["North", "South", "East", "West", "Zürich"] as const;
const TYPES = ["retail", "wholesale"] as const;

interface GeneratedCustomer {
  readonly id: string;
  readonly region: string;
  readonly type: string;
}

function generatedCustomers(): GeneratedCustomer[] {
  const prefixes = ["C", "K-", "c"];
  return Array.from({ length: CUSTOMERS }, (_, i) => ({
    id: `${prefixes[i % 3]}${i + 1}`,
    region: REGIONS[i % REGIONS.length] as string,
    type: TYPES[Math.floor(i / 5) % 2] as string,
  }));
}

/** CSV field, quoted when it must be. */
function csv(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

async function writeGeneratedSource(dir: string, rows: readonly GeneratedCustomer[]) {
  const customerLines = rows.map((c, i) => {
    const name = i % 7 === 0 ? `Name "${i}", Ltd` : `Customer ${i}`;
    const day = String((i % 28) + 1).padStart(2, "0");
    const month = String((i % 12) + 1).padStart(2, "0");
    return [c.id, csv(name), c.type, c.region, `2020-${month}-${day}`, "active"].join(",");
  });
  await writeFile(
    join(dir, "customers.csv"),
    [
      "customer_id,customer_name,customer_type,region,registration_date,status",
      ...customerLines,
    ].join("\n"),
  );
  const productLines = Array.from(
    { length: 40 },
    (_, i) => `P${i + 1},Product ${i + 1},cat${i % 4},type${i % 3},2015-01-01,active`,
  );
  await writeFile(
    join(dir, "products.csv"),
    [
      "product_id,product_name,product_category,product_type,launch_date,status",
      ...productLines,
    ].join("\n"),
  );
  const relationshipLines = rows.map(
    (c, i) => `R${i + 1},${c.id},P${(i % 40) + 1},holder,2021-01-01,,${(i % 100) + 0.25}`,
  );
  await writeFile(
    join(dir, "customer_products.csv"),
    [
      "relationship_id,customer_id,product_id,relationship_type,start_date,end_date,value",
      ...relationshipLines,
    ].join("\n"),
  );
}

/** Ids in the order the service must list them: byte order, as DuckDB sorts VARCHAR. */
function sortedIds(rows: readonly GeneratedCustomer[]): string[] {
  return rows.map((c) => c.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

describe("a generated source of 2,500 customers", () => {
  const rows = generatedCustomers();
  let sourceDir: string;
  let running: TestService;
  let customers: ReturnType<typeof createClient<typeof CustomerService>>;
  let products: ReturnType<typeof createClient<typeof ProductService>>;

  beforeAll(async () => {
    sourceDir = await mkdtemp(join(tmpdir(), "ca-paging-source-"));
    await writeGeneratedSource(sourceDir, rows);
    running = await startTestService({ LOCAL_SOURCE_DIR: sourceDir });
    const transport = createConnectTransport({ baseUrl: running.baseUrl, httpVersion: "1.1" });
    customers = createClient(CustomerService, transport);
    products = createClient(ProductService, transport);
  });

  afterAll(async () => {
    await running?.close();
    if (sourceDir !== undefined) await rm(sourceDir, { recursive: true, force: true });
  });

  it("loaded every row", () => {
    const counts = running.service.store.live?.tables ?? [];
    expect(counts.find((t) => t.table === "customers")?.rows).toBe(CUSTOMERS);
  });

  it("walks every customer in pages of 1000", async () => {
    const { items, pages } = await walk(1000, 5, async (pageToken) => {
      const res = await customers.listCustomers({ pageSize: 1000, pageToken });
      return { items: res.customers.map((c) => c.customerId), nextPageToken: res.nextPageToken };
    });
    expect(pages).toBe(3);
    expectExactly(items, sortedIds(rows));
  });

  // Two regions are enough for the walk at size 7 (each is ~70 pages); one is non-ASCII.
  for (const region of ["North", "Zürich"]) {
    it(`walks region ${region} in pages of 7`, async () => {
      const expected = sortedIds(rows.filter((c) => c.region === region));
      expect(expected.length).toBe(500);
      const { items, pages } = await walk(7, 100, async (pageToken) => {
        const res = await customers.listCustomers({ region, pageSize: 7, pageToken });
        for (const c of res.customers) expect(c.region).toBe(region);
        return { items: res.customers.map((c) => c.customerId), nextPageToken: res.nextPageToken };
      });
      expect(pages).toBe(Math.ceil(500 / 7));
      expectExactly(items, expected);
    });
  }

  it("walks two filters combined in pages of 7", async () => {
    const expected = sortedIds(rows.filter((c) => c.region === "East" && c.type === "wholesale"));
    expect(expected.length).toBeGreaterThan(100);
    const { items } = await walk(7, 100, async (pageToken) => {
      const res = await customers.listCustomers({
        region: "East",
        customerType: "wholesale",
        pageSize: 7,
        pageToken,
      });
      return { items: res.customers.map((c) => c.customerId), nextPageToken: res.nextPageToken };
    });
    expectExactly(items, expected);
  });

  it("ends on a full last page with an empty token (no empty extra page)", async () => {
    const expected = sortedIds(rows.filter((c) => c.region === "North"));
    const { items, pages } = await walk(250, 5, async (pageToken) => {
      const res = await customers.listCustomers({ region: "North", pageSize: 250, pageToken });
      return { items: res.customers.map((c) => c.customerId), nextPageToken: res.nextPageToken };
    });
    expect(pages).toBe(2);
    expectExactly(items, expected);
    const single = await customers.listCustomers({ region: "North", pageSize: 1000 });
    expect(single.customers.map((c) => c.customerId)).toEqual(expected);
    expect(single.nextPageToken).toBe("");
  });

  it("walks the products in pages of 7", async () => {
    const expected = Array.from({ length: 40 }, (_, i) => `P${i + 1}`).sort();
    const { items } = await walk(7, 10, async (pageToken) => {
      const res = await products.listProducts({ pageSize: 7, pageToken });
      return { items: res.products.map((p) => p.productId), nextPageToken: res.nextPageToken };
    });
    expectExactly(items, expected);
  });
});

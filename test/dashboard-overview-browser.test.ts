import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../gen/customeranalytics/v1/customer_pb.js";
import { SegmentationService } from "../gen/customeranalytics/v1/segmentation_pb.js";
import {
  TrendGranularity,
  TrendMetric,
  TrendService,
} from "../gen/customeranalytics/v1/trend_pb.js";
import { buildWeb } from "../src/web/build.js";
import { writeBankFixture } from "./support/bank-fixture.js";
import { launchChromium, runBrowserTests } from "./support/chromium.js";
import { startTestService, type TestService } from "./support/test-service.js";

// The dashboard opens on an overview: the headline numbers, the segment mix, the top products
// and categories, the data's freshness and the last sync, each leading to its page, agreeing
// with the API. Chart labels fit their chart; the search example comes from the data; with no
// snapshot a page says so once, not once per section.

const SHOTS = join(import.meta.dirname, "..", "test-results", "screenshots");

let running: TestService;
let empty: TestService;
let basic: TestService;
let fixture: string;
let emptyDir: string;

beforeAll(async () => {
  await buildWeb();
  fixture = await writeBankFixture(800);
  await lengthenRegions(join(fixture, "customers.csv"));
  emptyDir = await mkdtemp(join(tmpdir(), "ca-empty-source-"));
  running = await startTestService({ LOCAL_SOURCE_DIR: fixture });
  empty = await startTestService({ LOCAL_SOURCE_DIR: emptyDir });
  basic = await startTestService();
});

afterAll(async () => {
  await running?.close();
  await empty?.close();
  await basic?.close();
  if (fixture !== undefined) await rm(fixture, { recursive: true, force: true });
  if (emptyDir !== undefined) await rm(emptyDir, { recursive: true, force: true });
});

/** Regions with names as long as Online Retail's countries ("United Kingdom"), for the labels. */
async function lengthenRegions(file: string): Promise<void> {
  const long: Record<string, string> = {
    North: "United Kingdom",
    South: "Channel Islands",
    East: "European Community",
    West: "United Arab Emirates",
  };
  const text = await readFile(file, "utf8");
  await writeFile(
    file,
    text.replace(/,(North|South|East|West),/g, (_, r: string) => `,${long[r]},`),
  );
}

function transport() {
  return createConnectTransport({ baseUrl: running.baseUrl, httpVersion: "1.1" });
}

describe.runIf(runBrowserTests)("the dashboard in Chromium", () => {
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("opens on the overview, whose numbers agree with the API", async () => {
    await page.goto(`${running.baseUrl}/`);
    const tiles = page.getByTestId("overview-tiles");
    await tiles.waitFor();
    expect(await tiles.textContent()).toContain("800Customers");
    const trends = await createClient(TrendService, transport()).getTrends({
      metrics: [TrendMetric.REVENUE, TrendMetric.ACTIVE_CUSTOMERS],
      granularity: TrendGranularity.MONTH,
    });
    const points = trends.series[0]?.points ?? [];
    const last = points.at(-2);
    const revenue = last?.values[0]?.exactValue ?? "missing";
    const grouped = revenue.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    const revenueTile = page.getByTestId("overview-revenue");
    expect(await revenueTile.textContent()).toContain(grouped.split(".")[0] ?? "missing");
    expect(await revenueTile.textContent()).toContain(`${last?.periodStart} to ${last?.periodEnd}`);
    expect(await revenueTile.textContent()).toMatch(/[▲▼] \d+\.\d% on the month before/);
    const segments = await createClient(SegmentationService, transport()).getSegmentSummary({});
    await expect
      .poll(() => page.getByTestId("overview-segments").locator(".hbar-row").count())
      .toBe(segments.segments.length);
    await expect
      .poll(() => page.getByTestId("overview-categories").locator(".hbar-row").count())
      .toBe(4);
    await expect
      .poll(() => page.getByTestId("overview-products").locator(".hbar-row").count())
      .toBe(5);
    expect(await page.getByTestId("overview-last-sync").textContent()).toContain("succeeded");
    expect(await page.getByTestId("overview-freshness").textContent()).toContain(
      running.service.store.live?.id ?? "missing",
    );
    expect(await page.locator("nav a.on").textContent()).toBe("Overview");
    expect(problems).toEqual([]);
    await mkdir(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, "overview.png"), fullPage: true });
  });

  it("leads from each card to its page", async () => {
    const links: [string, RegExp][] = [
      ["overview-segments", /#\/segments$/],
      ["overview-freshness", /#\/sync$/],
      ["overview-products", /#\/explore\/customer_products$/],
      ["overview-categories", /#\/trends$/],
    ];
    for (const [card, url] of links) {
      await page.goto(`${running.baseUrl}/#/overview`);
      await page.getByTestId(card).locator("a.more").click();
      await page.waitForURL(url);
    }
    await page.goto(`${running.baseUrl}/#/overview`);
    await page.getByTestId("overview-revenue").click();
    await page.waitForURL(/#\/trends$/);
  });

  it("fits every bar label inside its chart on the Explore page", async () => {
    await page.goto(`${running.baseUrl}/#/explore/customers`);
    const labels = page.getByTestId("column-profiles").locator("text.hlabel");
    await expect.poll(() => labels.count()).toBeGreaterThan(5);
    const outside = await labels.evaluateAll((nodes) =>
      nodes
        .map((n) => n as unknown as { getBBox(): { x: number }; textContent: string | null })
        .filter((n) => n.getBBox().x < 0)
        .map((n) => n.textContent),
    );
    expect(outside).toEqual([]);
    expect(await labels.first().locator("title").count()).toBe(1);
  });

  it("takes the search example from the data", async () => {
    // The hand-made fixture's first customer is C001, "Alice Ltd": not the old fixed example.
    const client = createClient(
      CustomerService,
      createConnectTransport({ baseUrl: basic.baseUrl, httpVersion: "1.1" }),
    );
    const first = (await client.listCustomers({ pageSize: 1 })).customers[0];
    expect(first?.customerId).toBe("C001");
    await page.goto(`${basic.baseUrl}/#/customer`);
    const search = page.getByTestId("customer-search");
    await expect
      .poll(() => search.getAttribute("placeholder"))
      .toBe("Name or customer id, e.g. Alice or C001");
  });

  it("shows one error box, not one per section, when there is no snapshot", async () => {
    await page.goto(`${empty.baseUrl}/#/customer/C00001`);
    await expect.poll(() => page.locator(".loading").count()).toBe(0);
    expect(await page.locator(".error").count()).toBe(1);
    expect(await page.locator(".error").textContent()).toMatch(/snapshot/);
    await page.goto(`${empty.baseUrl}/#/overview`);
    await expect.poll(() => page.locator(".loading").count()).toBe(0);
    expect(await page.locator(".error").count()).toBe(1);
  });
});

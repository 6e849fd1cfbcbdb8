import { existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWeb } from "../src/web/build.js";
import { writeBankFixture } from "./support/bank-fixture.js";
import { startTestService, type TestService } from "./support/test-service.js";

// The dashboard end to end: built by the project's own build, served by a real server on the
// same port as the API, driven in Debian's Chromium through playwright-core. A person's path
// through every page (search a customer, switch a trend chart, start a sync and watch its
// progress, download an export), with no console error anywhere and a screenshot of each page
// in test-results/screenshots/. Where Chromium is missing the browser tests are skipped and say
// so, except under CI=true, where they must run.

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
const runBrowser = haveChromium || process.env.CI === "true";
const SHOTS = join(import.meta.dirname, "..", "test-results", "screenshots");

if (!runBrowser) {
  console.warn(
    `dashboard browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium)`,
  );
}

let running: TestService;
let fixture: string;

beforeAll(async () => {
  await buildWeb();
  fixture = await writeBankFixture(1500);
  running = await startTestService({ LOCAL_SOURCE_DIR: fixture });
});

afterAll(async () => {
  await running?.close();
  if (fixture !== undefined) await rm(fixture, { recursive: true, force: true });
});

describe("the dashboard is served on the API's port", () => {
  it("serves the page uncached, with a policy that allows only this origin", async () => {
    const res = await fetch(`${running.baseUrl}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(await res.text()).toMatch(/<script type="module" src="\/assets\/app-[A-Z0-9]{8}\.js">/);
  });

  it("serves hashed assets with their type, cached for good; anything else is 404", async () => {
    const html = await (await fetch(`${running.baseUrl}/`)).text();
    const script = /src="(\/assets\/[^"]+)"/.exec(html)?.[1] ?? "";
    const style = /href="(\/assets\/[^"]+\.css)"/.exec(html)?.[1] ?? "";
    const js = await fetch(`${running.baseUrl}${script}`);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const css = await fetch(`${running.baseUrl}${style}`);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    for (const path of [
      "/assets/app-AAAAAAAA.js",
      "/assets/..%2F..%2Fpackage.json",
      "/nothing-here",
    ]) {
      expect((await fetch(`${running.baseUrl}${path}`)).status, path).toBe(404);
    }
    const head = await fetch(`${running.baseUrl}/`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });
});

describe.runIf(runBrowser)("the dashboard in Chromium", () => {
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!haveChromium)
      throw new Error(`CI=true but ${CHROMIUM} is missing: apt-get install chromium`);
    await mkdir(SHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    const context = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1360, height: 900 },
      deviceScaleFactor: 1,
    });
    page = await context.newPage();
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    page.on("requestfailed", (r) => {
      if (!r.url().includes("WatchSync")) problems.push(`request failed: ${r.url()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  const shot = (name: string) =>
    page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  it("finds a customer by name and shows the portfolio, segment and recommendations", async () => {
    await page.goto(`${running.baseUrl}/#/customer`);
    await page.getByTestId("customer-search").fill("Alice");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/#\/customer\/C00001$/);
    const holdings = page.getByTestId("portfolio-table").locator("tbody tr");
    await expect.poll(() => holdings.count()).toBeGreaterThan(1);
    await expect
      .poll(() => holdings.first().textContent())
      .toMatch(/Everyday Checking|Online Savings|Cashback Card/);
    const recs = page.getByTestId("recommendations");
    await recs.waitFor();
    expect(await recs.textContent()).toContain("Term Deposit");
    expect(await recs.locator(".because").first().textContent()).toMatch(/^Because you hold .+/);
    expect(await page.getByTestId("customer-segment").textContent()).not.toBe("");
    await expect.poll(() => page.getByTestId("result-meta").count()).toBeGreaterThanOrEqual(4);
    expect(await page.getByTestId("result-meta").first().textContent()).toMatch(
      /Snapshot s\d{8}T.* · data as of .* old/,
    );
    await shot("customer");
  });

  it("downloads the holdings it shows as CSV through ExportTable", async () => {
    const card = page.getByTestId("portfolio");
    const rows = await card.locator("tbody tr").count();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      card.getByTestId("download").click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^customer_products-s\d{8}T.*\.csv$/);
    const text = await readFile(await download.path(), "utf8");
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe(
      "relationship_id,customer_id,product_id,relationship_type,start_date,end_date,value",
    );
    expect(lines).toHaveLength(rows + 1);
    expect(lines.slice(1).every((l) => l.split(",")[1] === "C00001")).toBe(true);
    await expect.poll(() => card.locator(".download-status").textContent()).toContain("Saved");
  });

  it("draws trends and switches granularity and chart type", async () => {
    await page.goto(`${running.baseUrl}/#/trends`);
    const line = page.getByTestId("line-chart").locator("path.line");
    await expect.poll(() => line.count()).toBe(1);
    // The last month, where the data ends, is partial: it is reached by a dashed segment.
    expect(await page.getByTestId("line-chart").locator("path.line-partial").count()).toBe(1);
    const monthly = await page.getByTestId("line-chart").locator("rect.hover").count();
    await page.getByTestId("granularity").getByRole("button", { name: "Quarter" }).click();
    await page.getByTestId("chart-kind").getByRole("button", { name: "Bars" }).click();
    const bars = page.getByTestId("bar-chart").locator("rect.bar");
    await expect.poll(() => bars.count()).toBeGreaterThan(10);
    expect(await bars.count()).toBeLessThan(monthly);
    await page.getByTestId("grouping").getByRole("button", { name: "Region" }).click();
    await expect.poll(() => page.locator(".legend li").count()).toBe(4);
    expect(await page.getByTestId("trend-card").locator("h2").textContent()).toBe(
      "Revenue by quarter, per region",
    );
    await shot("trends");
  });

  it("shows segment sizes and the cohort heat map", async () => {
    await page.goto(`${running.baseUrl}/#/segments`);
    await expect
      .poll(() => page.getByTestId("segment-chart").locator(".hbar-row").count())
      .toBe(10);
    await expect
      .poll(() => page.getByTestId("cohort-heatmap").locator("rect").count())
      .toBeGreaterThan(50);
    await shot("segments");
  });

  it("profiles a table and reports data quality", async () => {
    await page.goto(`${running.baseUrl}/#/explore/customer_products`);
    await expect.poll(() => page.getByTestId("column-profiles").locator("article").count()).toBe(7);
    await expect
      .poll(() => page.getByTestId("quality-table").locator("tbody tr").count())
      .toBeGreaterThan(5);
    expect(await page.getByTestId("quality-table").textContent()).toMatch(/pass/);
    await shot("explore");
  });

  it("starts a sync and follows its progress to the end", async () => {
    await page.goto(`${running.baseUrl}/#/sync`);
    const live = page.getByTestId("live-snapshot");
    await live.waitFor();
    const before = await live.textContent();
    const bar = page.getByTestId("sync-progress");
    await page.getByTestId("force").check();
    await page.getByTestId("sync-now").click();
    await expect.poll(() => bar.getAttribute("data-state"), { timeout: 30_000 }).toBe("running");
    await expect.poll(() => bar.getAttribute("data-state"), { timeout: 60_000 }).toBe("succeeded");
    expect(await bar.getAttribute("aria-valuenow")).toBe("100");
    expect(Number(await bar.getAttribute("data-updates"))).toBeGreaterThan(3);
    await expect.poll(() => live.textContent(), { timeout: 10_000 }).not.toBe(before);
    await expect
      .poll(() => page.getByTestId("snapshots-table").locator("tbody tr").count())
      .toBe(2);
    await shot("sync");
  });

  it("logged no error or warning in the console", () => {
    expect(problems).toEqual([]);
  });
});

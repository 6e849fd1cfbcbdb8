import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWeb } from "../src/web/build.js";
import { startTestService, type TestService } from "./support/test-service.js";

// The dashboard's value views on the CDNOW sample, in Debian's Chromium: the Value page draws
// the model, the CLV deciles, the holdout chart and the at-risk list, whose download is a CSV
// of the ranking; the customer page shows P(alive) and CLV. No console error, no failed call.

const CHROMIUM = "/usr/bin/chromium";
const runBrowser = existsSync(CHROMIUM) || process.env.CI === "true";
const CDNOW = fileURLToPath(new URL("fixtures/cdnow", import.meta.url));

let running: TestService;
let browser: Browser;
let page: Page;
const problems: string[] = [];

describe.runIf(runBrowser)("the dashboard's value views", () => {
  beforeAll(async () => {
    await buildWeb();
    running = await startTestService({ LOCAL_SOURCE_DIR: CDNOW });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
    const context = await browser.newContext({ acceptDownloads: true });
    page = await context.newPage();
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  it("shows the model, the CLV deciles, the holdout chart and the customers at risk", async () => {
    await page.goto(`${running.baseUrl}/#/value`);
    await page.getByTestId("clv-deciles").locator("svg").first().waitFor();
    expect(await page.getByTestId("value-model-card").textContent()).toContain("converged");
    await page.getByTestId("holdout-chart").locator("svg").first().waitFor();
    const rows = page.getByTestId("at-risk-table").locator("tbody tr");
    await expect.poll(() => rows.count()).toBe(25);
    expect(await rows.first().textContent()).toMatch(/^C\d{4}/);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("at-risk-card").getByTestId("download").click(),
    ]);
    expect(download.suggestedFilename()).toBe("high-value-at-risk.csv");
    expect(problems).toEqual([]);
  });

  it("shows P(alive) and CLV on the customer page", async () => {
    await page.goto(`${running.baseUrl}/#/customer/C0001`);
    const card = page.getByTestId("value-card");
    await card.getByText("P(alive)").waitFor();
    expect(await card.textContent()).toContain("CLV");
    expect(await page.getByTestId("customer-p-alive").textContent()).toContain("1998-07-01");
    expect(problems).toEqual([]);
  });
});

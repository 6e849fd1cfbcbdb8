import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWeb } from "../src/web/build.js";
import { BASIC_FIXTURE, startTestService, type TestService } from "./support/test-service.js";

// Editing in the dashboard, in Chromium against a real server on the writable embedded source:
// a customer's field, then a holding added, ended and deleted (after the confirmation), each
// visible at once on the customer page, which says that it includes writes not yet synced.

const CHROMIUM = "/usr/bin/chromium";
const runBrowser = existsSync(CHROMIUM) || process.env.CI === "true";

let running: TestService;

beforeAll(async () => {
  await buildWeb();
  running = await startTestService({
    SOURCE: "embedded",
    LOCAL_SOURCE_DIR: BASIC_FIXTURE,
    SYNC_AFTER_WRITES: "off",
  });
});

afterAll(async () => {
  await running?.close();
});

describe.runIf(runBrowser)("the customer page edits", () => {
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
    page = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console: ${m.text()}`);
    });
    page.on("dialog", (dialog) => void dialog.accept());
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("saves a field and shows it at once", async () => {
    await page.goto(`${running.baseUrl}/#/customer/C004`);
    const form = page.getByTestId("edit-customer");
    await form.getByLabel("Region").fill("Far East");
    await form.getByRole("button", { name: "Save" }).click();
    await expect
      .poll(() => page.getByTestId("customer-profile").textContent())
      .toContain("Far East");
    await expect
      .poll(() => page.getByTestId("customer-profile").getByTestId("pending-writes").textContent())
      .toContain("includes 1 write not yet synced");
  });

  it("adds a holding, ends it and deletes it", async () => {
    const add = page.getByTestId("add-holding");
    await add.getByLabel("Relationship id").fill("R777");
    await add.getByLabel("Product id").fill("P02");
    await add.getByLabel("Start date").fill("2024-01-01");
    await add.getByLabel("Value").fill("42.00");
    await add.getByRole("button", { name: "Add holding" }).click();
    const row = page.getByTestId("holding-R777");
    await expect.poll(() => row.textContent()).toContain("Savings");
    await expect.poll(() => page.getByTestId("customer-profile").textContent()).toContain("42.00");
    await row.getByRole("button", { name: "End today" }).click();
    const today = new Date().toISOString().slice(0, 10);
    await expect.poll(() => page.getByTestId("holding-R777").textContent()).toContain(today);
    await page.getByTestId("holding-R777").getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => page.getByTestId("holding-R777").count()).toBe(0);
    expect(problems).toEqual([]);
  });
});

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newKey, writeKeysFile } from "./support/auth-fixtures.js";
import { launchChromium, runBrowserTests } from "./support/chromium.js";
import { startTestService, type TestService } from "./support/test-service.js";

// /docs is the API's interactive reference, served by the service itself (no CDN) with a policy
// of its own; "Try it out" calls the same port, with the bearer key typed into "Authorize"
// when auth is on. Driven in real Chromium.

const reader = newKey("docs-reader", "reader");
let secured: TestService;
let open: TestService;
let keysDir: string;

beforeAll(async () => {
  keysDir = await mkdtemp(join(tmpdir(), "ca-docs-keys-"));
  secured = await startTestService({ API_KEYS_FILE: await writeKeysFile(keysDir, [reader]) });
  open = await startTestService();
});

afterAll(async () => {
  await secured?.close();
  await open?.close();
  if (keysDir !== undefined) await rm(keysDir, { recursive: true, force: true });
});

describe("the API reference is served by the service", () => {
  it("serves /openapi.json and /docs without a credential, /docs with its own policy", async () => {
    const doc = await fetch(`${secured.baseUrl}/openapi.json`);
    expect(doc.status).toBe(200);
    expect(doc.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const body = (await doc.json()) as { openapi: string; components: Record<string, unknown> };
    expect(body.openapi).toBe("3.1.0");
    expect(body.components.securitySchemes).toBeDefined();
    const page = await fetch(`${secured.baseUrl}/docs`);
    expect(page.status).toBe(200);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(await page.text()).toContain('<script src="/docs/swagger-ui-bundle.js">');
    const bundle = await fetch(`${secured.baseUrl}/docs/swagger-ui-bundle.js`);
    expect(bundle.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await fetch(`${secured.baseUrl}/docs/package.json`)).status).toBe(404);
    // The dashboard keeps its stricter policy.
    const dashboard = await fetch(`${secured.baseUrl}/`);
    expect(dashboard.headers.get("content-security-policy") ?? "").not.toContain("unsafe-inline");
  });

  it("drops the bearer requirement from the document when auth is off", async () => {
    const body = (await (await fetch(`${open.baseUrl}/openapi.json`)).json()) as {
      security?: unknown;
      components: Record<string, unknown>;
    };
    expect(body.security).toBeUndefined();
    expect(body.components.securitySchemes).toBeUndefined();
  });
});

describe.runIf(runBrowserTests)("/docs in Chromium", () => {
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("request", (r) => {
      if (!r.url().startsWith(secured.baseUrl)) problems.push(`left the origin: ${r.url()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("authorizes with the API key and runs GetCustomer through Try it out", async () => {
    await page.goto(`${secured.baseUrl}/docs`);
    await page.locator(".scheme-container .btn.authorize").click();
    await page.locator(".auth-container input").fill(reader.key);
    await page.getByRole("button", { name: "Apply credentials" }).click();
    await page.getByRole("button", { name: "Close" }).click();
    const op = page.locator('.opblock[id$="-CustomerService_GetCustomer"]');
    await op.locator(".opblock-summary").click();
    await op.locator(".try-out__btn").click();
    await op.locator("textarea.body-param__text").fill('{"customerId": "C001"}');
    await op.locator(".execute").click();
    const live = op.locator(".live-responses-table");
    await expect
      .poll(() => live.locator("tbody td.response-col_status").first().textContent())
      .toContain("200");
    const answer = await live
      .locator("tbody td.response-col_description pre")
      .first()
      .textContent();
    expect(answer).toContain('"customerName": "Alice Ltd"');
    expect(problems).toEqual([]);
  });

  it("runs the GET form of GetCustomer, the request in the query string", async () => {
    const op = page.locator('.opblock[id$="-CustomerService_GetCustomer_get"]');
    await op.locator(".opblock-summary").click();
    await op.locator(".try-out__btn").click();
    await op.locator('tr[data-param-name="message"] input').fill('{"customerId": "C002"}');
    await op.locator(".execute").click();
    const live = op.locator(".live-responses-table");
    await expect
      .poll(() => live.locator("tbody td.response-col_status").first().textContent())
      .toContain("200");
    expect(
      await live.locator("tbody td.response-col_description pre").first().textContent(),
    ).toContain('"customerName": "Bob & Co"');
    expect(problems).toEqual([]);
  });

  it("shows the Connect error body when the call is refused", async () => {
    await page.locator(".scheme-container .btn.authorize").click();
    await page.getByRole("button", { name: "Remove authorization" }).click();
    await page.getByRole("button", { name: "Close" }).click();
    const op = page.locator('.opblock[id$="-CustomerService_GetCustomer"]');
    await op.locator(".execute").click();
    const live = op.locator(".live-responses-table");
    await expect
      .poll(() => live.locator("tbody td.response-col_status").first().textContent())
      .toContain("401");
    expect(
      await live.locator("tbody td.response-col_description pre").first().textContent(),
    ).toContain('"code": "unauthenticated"');
  });
});

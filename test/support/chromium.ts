import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium, which CI installs; playwright-core drives it, no browser download. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Whether the browser tests run: always under CI=true (where a missing Chromium is a failure),
 * elsewhere only when Chromium is installed.
 */
export const runBrowserTests = existsSync(CHROMIUM) || process.env.CI === "true";

/** Launches headless Chromium the way the browser tests need it (no sandbox, no network noise). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`CI=true but ${CHROMIUM} is missing: apt-get install chromium`);
  }
  return chromium.launch({
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
}

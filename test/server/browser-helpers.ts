/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser): the path comes from
 * MLLOOP_TEST_CHROMIUM (scripts/with-services.sh sets it); without it the browser tests fail.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { ROOT } from "../cli/cli-helpers.js";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.MLLOOP_TEST_CHROMIUM;
  if (!executablePath) {
    throw new Error(
      "MLLOOP_TEST_CHROMIUM is not set: run the browser tests through scripts/with-services.sh (npm test does)",
    );
  }
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

export function requireBuiltWeb(): void {
  const index = join(ROOT, "dist", "web", "index.html");
  if (!existsSync(index)) throw new Error(`${index} is missing: run npm run build first`);
}

/** Where screenshots go: $MLLOOP_UI_SCREENSHOTS (npm run ui:screenshots sets docs/ui), else nowhere. */
export function screenshotDir(): string | null {
  const dir = process.env.MLLOOP_UI_SCREENSHOTS;
  if (!dir) return null;
  const abs = resolve(ROOT, dir);
  mkdirSync(abs, { recursive: true });
  return abs;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = screenshotDir();
  if (dir !== null) await page.screenshot({ path: join(dir, `${name}.png`), fullPage: false });
}

/** Records every dialog (alert/confirm/prompt) and every request to an origin other than the server's. */
export function watchHostileEffects(page: Page, origin: string): { dialogs: string[]; foreign: string[] } {
  const seen = { dialogs: [] as string[], foreign: [] as string[] };
  page.on("dialog", (d) => {
    seen.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith("data:")) seen.foreign.push(url);
  });
  return seen;
}

/**
 * What the browser tests share: Debian's headless Chromium driven by playwright-core (never a downloaded
 * browser; missing is a failure, not a skip), with the flags the project uses everywhere, and a page that
 * records console errors and uncaught exceptions.
 *
 * @example
 * const browser = await launchChromium(dir);
 * const { page, problems } = await openPage(browser, url, { width: 1024, height: 768 });
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
/** Waits for the page are guards against hanging, not timed assertions. */
export const PATIENCE = 60_000;

export async function launchChromium(dir: string, viewport = { width: 1400, height: 1000 }): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) throw new Error(`Debian's chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (.ci/run does this). The explorer tests need a real browser.`);
  return chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport,
  });
}

/** Opens `url` in a new tab and waits for the explorer to be ready; `problems` collects console errors and page errors. */
export async function openPage(context: BrowserContext, url: string, viewport?: { width: number; height: number }): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  if (viewport) await page.setViewportSize(viewport);
  await page.goto(url);
  await page.locator("body[data-ready=true]").waitFor({ timeout: PATIENCE });
  return { page, problems };
}

/** The full-precision entries of the selected tensor's value (or gradient) grid, as rendered: [row, col, value]. */
export async function gridEntries(page: Page, kind: "value" | "grad"): Promise<[number, number, number][]> {
  return page.locator(`[data-testid="${kind}-grid"] [data-full]`).evaluateAll((cells) => cells.map((c) => [Number((c as HTMLElement).dataset.row), Number((c as HTMLElement).dataset.col), Number((c as HTMLElement).dataset.full)] as [number, number, number]));
}

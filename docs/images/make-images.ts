/**
 * Makes the README's pictures with the project's own commands:
 *   docs/images/planar-tanh.svg       `gradstream render graphs/planar-tanh.yaml --data data/planar_flower.json
 *                                     --direction down` (top to bottom: it reads at README width)
 *   docs/images/explorer.png          `gradstream serve` on the same graph, in Debian's headless Chromium
 *                                     (playwright-core), 1440 px wide: the flower dataset with 20% held out,
 *                                     2000 gradient-descent steps at learning rate 1.2, W1 selected
 *   docs/images/explorer-1024.png     the same at 1024 px wide
 *
 * Run from the repository root: `npm run images` (needs /usr/bin/chromium).
 *
 * @example
 * npm run images
 */
import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { chromium, type Page } from "playwright-core";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(REPO, "dist/bin/gradstream.js");
const GRAPH = "graphs/planar-tanh.yaml";
const DATA = "data/planar_flower.json";

await promisify(execFile)(process.execPath, [BIN, "render", GRAPH, "--data", DATA, "--direction", "down", "-o", "docs/images/planar-tanh.svg"], { cwd: REPO });
console.log("wrote docs/images/planar-tanh.svg");

/** The page as the README shows it: the flower dataset, 400 points, 20% held out, 2000 sgd steps at 1.2. */
async function train(page: Page): Promise<void> {
  await page.locator("#source").selectOption("flower");
  await page.locator("#m").fill("400");
  await page.locator("#noise").fill("0.2");
  await page.locator("#test-share").fill("20");
  await page.locator("#seed").fill("3");
  await page.locator("#load").click();
  await page.locator("#lr").fill("1.2");
  for (let i = 0; i < 20; i++) await page.locator('button[data-steps="100"]').click();
  await page.locator('#graph [data-id="W1"]').click();
  await page.locator('[data-testid="value-grid"] [data-row="1"][data-col="0"]').focus();
  const update = await page.locator("#updates").getAttribute("data-updates");
  await page.locator(`#boundary[data-update="${update}"]`).waitFor();
  await page.mouse.move(0, 0);
}

const server = spawn(process.execPath, [BIN, "serve", GRAPH, "--data", DATA, "--port", "0", "--no-watch"], { cwd: REPO, stdio: ["ignore", "pipe", "inherit"] });
const profile = await mkdtemp(join(tmpdir(), "gradstream-images-"));
try {
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    server.stdout!.on("data", (d) => {
      out += d;
      const m = /gradstream explorer: (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    server.on("exit", (code) => reject(new Error(`gradstream serve exited with ${code}`)));
  });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"],
    deviceScaleFactor: 1.5,
  });
  for (const [width, height, file] of [[1440, 900, "explorer.png"], [1024, 768, "explorer-1024.png"]] as const) {
    const page = await context.newPage();
    await page.setViewportSize({ width, height });
    await page.goto(url);
    await page.locator("body[data-ready=true]").waitFor();
    await train(page);
    await page.screenshot({ path: join(REPO, "docs/images", file), fullPage: true });
    console.log(`wrote docs/images/${file}`);
    await page.close();
  }
  await context.close();
} finally {
  server.kill("SIGINT");
  await rm(profile, { recursive: true, force: true });
}

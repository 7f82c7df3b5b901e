/**
 * Makes the README's pictures with the project's own commands:
 *   docs/images/planar-tanh.svg  `gradstream render graphs/planar-tanh.yaml --data data/planar_flower.json`
 *   docs/images/explorer.png     `gradstream serve` on the same graph and data, in Debian's headless Chromium
 *                                (playwright-core), after 300 gradient steps at learning rate 1.2, W1 selected.
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
import { chromium } from "playwright-core";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(REPO, "dist/bin/gradstream.js");
const GRAPH = "graphs/planar-tanh.yaml";
const DATA = "data/planar_flower.json";

await promisify(execFile)(process.execPath, [BIN, "render", GRAPH, "--data", DATA, "-o", "docs/images/planar-tanh.svg"], { cwd: REPO });
console.log("wrote docs/images/planar-tanh.svg");

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
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1.5,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url);
  await page.locator("body[data-ready=true]").waitFor();
  await page.locator("#lr").fill("1.2");
  for (let i = 0; i < 3; i++) await page.locator('button[data-steps="100"]').click();
  await page.locator('#graph [data-id="W1"]').click();
  await page.locator('[data-testid="value-grid"] input[data-row="1"][data-col="0"]').focus();
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(REPO, "docs/images/explorer.png"), fullPage: true });
  console.log("wrote docs/images/explorer.png");
  await context.close();
} finally {
  server.kill("SIGINT");
  await rm(profile, { recursive: true, force: true });
}

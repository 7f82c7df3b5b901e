/**
 * The explorer's 1/m panel for a mean over items: on graphs/masked-items.yaml with its data (32 samples,
 * 16 items), the page says the 1/m becomes 1/ΣM and shows ΣM = 16 and dJ/dLᵢ = Mᵢ × 1/16, read from the
 * runtime in the browser; a new random batch shows that batch's ΣM. Chromium missing is a failure (see
 * explorer.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { REPO } from "../helpers/runCli.ts";

const CHROMIUM = "/usr/bin/chromium";
/** Waits for the page are guards against hanging, not timed assertions. */
const PATIENCE = 60_000;
let dir: string;
let server: ChildProcess | undefined;
let context: BrowserContext | undefined;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Debian's chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y chromium\`.`);
  dir = await mkdtemp(join(tmpdir(), "gradstream-e2e-weighted-"));
  const child = spawn(process.execPath, [join(REPO, "dist/bin/gradstream.js"), "serve", "graphs/masked-items.yaml", "--data", "data/masked-items.json", "--port", "0", "--no-watch"], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  server = child;
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    child.stdout!.on("data", (d) => {
      stdout += d;
      const m = stdout.match(/^gradstream explorer: (http:\/\/127\.0\.0\.1:\d+\/)$/m);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`gradstream serve exited with ${code}: ${stdout}`)));
  });
  context = await chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.goto(url);
  await page.locator("body[data-ready=true]").waitFor({ timeout: PATIENCE });
}, 180_000);

afterAll(async () => {
  await context?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.once("exit", resolve));
    server.kill("SIGINT");
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the 1/m panel of a weighted_mean graph, in Chromium", () => {
  it("shows ΣM, the items, in the place of m", async () => {
    const panel = page.locator("#one-over-m");
    await expect.poll(() => panel.getAttribute("data-items"), { timeout: PATIENCE }).toBe("16");
    expect(await panel.getAttribute("data-m")).toBe("32");
    const text = (await panel.textContent())!;
    expect(text).toContain("×1/ΣM");
    expect(text).toContain("J = weighted_mean(L, M) = (1/ΣM)·Σᵢ Mᵢ·Lᵢ");
    expect(text).toContain("the 1/m becomes 1/ΣM");
    expect(text).toContain("ΣM = 16 items in m = 32 samples");
    expect(text).toContain(`dJ/dLᵢ = Mᵢ/ΣM = Mᵢ × ${Number((1 / 16).toPrecision(6))}`);
  });

  it("a new random batch of 8 shows that batch's items (item counts 0–3 per sample)", async () => {
    await page.locator("#m").fill("8");
    await page.locator("#new-batch").click();
    const panel = page.locator("#one-over-m");
    await expect.poll(() => panel.getAttribute("data-m"), { timeout: PATIENCE }).toBe("8");
    const items = Number(await panel.getAttribute("data-items"));
    expect(Number.isInteger(items) && items >= 1 && items <= 24).toBe(true);
    expect(await panel.textContent()).toContain(`ΣM = ${items} items in m = 8 samples`);
    expect(problems).toEqual([]);
  });
});

/**
 * The explorer's 1/m panel for a mean over items: on graphs/masked-items.yaml with its data (32 samples,
 * 16 items), the page says the 1/m becomes 1/ΣM and shows ΣM = 16 and dJ/dLᵢ = Mᵢ × 1/16. On a new random
 * batch of 8 the panel's ΣM is checked against the page's own graph: L's box shows dJ/dLᵢ and M's box the
 * weights Mᵢ, and dJ/dLᵢ = Mᵢ/ΣM for every sample.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServe, type ServeProcess } from "./serveProcess.ts";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { launchChromium, openPage, PATIENCE } from "./chromium.ts";

let dir: string;
let server: ServeProcess | undefined;
let context: BrowserContext | undefined;
let page: Page;
let problems: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gradstream-e2e-weighted-"));
  server = await startServe(["graphs/masked-items.yaml", "--data", "data/masked-items.json"]);
  const url = server.url;
  context = await launchChromium(dir);
  ({ page, problems } = await openPage(context, url));
}, 180_000);

afterAll(async () => {
  await context?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const entries = (id: string, kind: "value" | "grad") => page.locator(`#graph [data-id="${id}"] .gs-entries-${kind} .gs-entry`).evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-full"))));

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
    expect(await page.locator('#graph [data-id="J"] .gs-one-over-m text').textContent()).toBe("×1/ΣM");
  });

  it("a new random batch of 8: the panel's ΣM is the one the page's gradients divide by, dJ/dLᵢ = Mᵢ/ΣM", async () => {
    await page.locator("#source").selectOption("random");
    await page.locator("#m").fill("8");
    await page.locator("#load").click();
    const panel = page.locator("#one-over-m");
    await expect.poll(() => panel.getAttribute("data-m"), { timeout: PATIENCE }).toBe("8");
    const items = Number(await panel.getAttribute("data-items"));
    expect(await panel.textContent()).toContain(`ΣM = ${items} items in m = 8 samples`);
    await expect.poll(async () => (await entries("L", "grad")).length, { timeout: PATIENCE }).toBe(8);
    const weights = await entries("M", "value");
    expect(weights.reduce((a, b) => a + b, 0)).toBe(items);
    expect(await entries("L", "grad")).toEqual(weights.map((w) => w / items));
    expect(problems).toEqual([]);
  });
});

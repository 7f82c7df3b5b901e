/**
 * Every shipped graph in the explorer at 1024×768, in Chromium: on load the graph pane fits the whole
 * graph (every box, and the ×1/m badge, inside the pane); zoom (buttons, wheel), pan (drag) and fit work,
 * and a drag is not a click. A tensor of any size can be read and edited entry by entry: mnist-softmax's
 * W1 (128×784) scrolls to its last entry, which holds the init the CLI draws, and an edit there gives the
 * J a from-scratch evaluation gives. One browser, one server per graph (in this process).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { startExplorerServer, type ExplorerServer } from "../../src/view/explorerServer.ts";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { allIds } from "../../src/graph/graph.ts";
import { randomBindings } from "../../src/data/bindData.ts";
import { forward } from "../../src/graph/evaluate.ts";
import { tensor } from "../../src/tensor/tensor.ts";
import { REPO } from "../helpers/runCli.ts";
import { PATIENCE, launchChromium, openPage } from "./chromium.ts";

const graphFiles = readdirSync(join(REPO, "graphs")).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();

let dir: string;
let context: BrowserContext;
const servers = new Map<string, ExplorerServer>();
const problems: string[] = [];

async function open(file: string): Promise<Page> {
  let server = servers.get(file);
  if (!server) {
    server = await startExplorerServer({ graphPath: join(REPO, "graphs", file), port: 0, watch: false });
    servers.set(file, server);
  }
  const { page, problems: seen } = await openPage(context, server.url, { width: 1024, height: 768 });
  page.on("close", () => problems.push(...seen));
  return page;
}

type Rect = { x: number; y: number; width: number; height: number };
const inside = (r: Rect, pane: Rect) => r.x >= pane.x - 0.5 && r.y >= pane.y - 0.5 && r.x + r.width <= pane.x + pane.width + 0.5 && r.y + r.height <= pane.y + pane.height + 0.5;

/** The pane's box and every node box's (and badge's) on screen. */
async function boxes(page: Page): Promise<{ pane: Rect; nodes: Record<string, Rect>; badges: Rect[] }> {
  return page.evaluate(() => {
    const rect = (el: Element) => {
      const r = el.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    };
    const pane = rect(document.getElementById("graph")!);
    const nodes: Record<string, Rect> = {};
    for (const g of document.querySelectorAll("#graph .gs-node")) nodes[g.getAttribute("data-id")!] = rect(g.querySelector("rect")!);
    return { pane, nodes, badges: [...document.querySelectorAll("#graph .gs-one-over-m rect")].map(rect) };
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gradstream-e2e-graphs-"));
  context = await launchChromium(dir, { width: 1024, height: 768 });
}, 180_000);

afterAll(async () => {
  await context?.close();
  for (const server of servers.values()) await server.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("every shipped graph in the explorer at 1024×768", () => {
  it.each(graphFiles)("%s: the whole graph, and the ×1/m badge, fit in the pane on load", async (file) => {
    const graph = await loadGraph(join(REPO, "graphs", file));
    const page = await open(file);
    const { pane, nodes, badges } = await boxes(page);
    expect(pane.width).toBeGreaterThan(900);
    expect(Object.keys(nodes).sort()).toEqual(allIds(graph).sort());
    for (const [id, r] of Object.entries(nodes)) expect(inside(r, pane), `${id} at ${JSON.stringify(r)} outside the pane ${JSON.stringify(pane)}`).toBe(true);
    expect(badges.length).toBeGreaterThan(0);
    for (const r of badges) expect(inside(r, pane)).toBe(true);
    // Fitted, not shrunk for nothing: the drawing spans the pane's width or its height.
    const xs = Object.values(nodes).flatMap((r) => [r.x, r.x + r.width]);
    const ys = Object.values(nodes).flatMap((r) => [r.y, r.y + r.height]);
    expect(Math.max((Math.max(...xs) - Math.min(...xs)) / pane.width, (Math.max(...ys) - Math.min(...ys)) / pane.height)).toBeGreaterThan(0.8);
    await page.close();
  });
});

describe("zoom, pan and fit", () => {
  it("zooms with the buttons and the wheel, pans by dragging (a drag is not a click), and fits again", async () => {
    const page = await open("deep-relu.yaml");
    const scale = async () => Number(await page.locator("#graph").getAttribute("data-scale"));
    const fitted = await scale();
    const before = await boxes(page);
    await page.locator("#zoom-in").click();
    expect(await scale()).toBeCloseTo(fitted * 1.25, 10);
    const zoomed = await boxes(page);
    expect(zoomed.nodes.J.width).toBeCloseTo(before.nodes.J.width * 1.25, 1);
    // At this zoom the cost node is off the pane's right edge; dragging left brings it in.
    expect(inside(zoomed.nodes.J, zoomed.pane)).toBe(false);
    const selected = await page.locator(".tensor-id").textContent();
    const { pane } = zoomed;
    await page.mouse.move(pane.x + pane.width - 100, pane.y + pane.height / 2);
    await page.mouse.down();
    await page.mouse.move(pane.x + pane.width - 300, pane.y + pane.height / 2, { steps: 5 });
    await page.mouse.move(pane.x + pane.width - 500, pane.y + pane.height / 2, { steps: 5 });
    await page.mouse.up();
    const panned = await boxes(page);
    expect(panned.nodes.J.x).toBeCloseTo(zoomed.nodes.J.x - 400, 0);
    expect(await page.locator(".tensor-id").textContent()).toBe(selected);
    // The wheel zooms about the pointer: the box under it stays under it.
    const target = panned.nodes.J;
    const at = { x: target.x + target.width / 2, y: target.y + target.height / 2 };
    await page.mouse.move(at.x, at.y);
    await page.mouse.wheel(0, -200);
    await expect.poll(scale, { timeout: PATIENCE }).toBeGreaterThan(fitted * 1.25);
    const wheeled = (await boxes(page)).nodes.J;
    expect(Math.abs(wheeled.x + wheeled.width / 2 - at.x)).toBeLessThan(1);
    expect(Math.abs(wheeled.y + wheeled.height / 2 - at.y)).toBeLessThan(1);
    await page.locator("#fit").click();
    expect(await scale()).toBeCloseTo(fitted, 10);
    const again = await boxes(page);
    for (const [id, r] of Object.entries(again.nodes)) expect(inside(r, again.pane), id).toBe(true);
    // A click (no drag) still selects.
    await page.locator('#graph [data-id="J"]').click();
    await expect.poll(() => page.locator(".tensor-id").textContent(), { timeout: PATIENCE }).toBe("J");
    await page.close();
  });
});

describe("tensors of any size", () => {
  it("scrolls mnist-softmax's W1 (128×784) to its last entry, keeping only the cells in view, and edits it", async () => {
    const file = "mnist-softmax.yaml";
    const graph = await loadGraph(join(REPO, "graphs", file));
    const page = await open(file);
    await page.locator('#graph [data-id="W1"]').click();
    await page.locator(".tensor-id", { hasText: /^W1$/ }).waitFor({ timeout: PATIENCE });
    const grid = page.locator('[data-testid="value-grid"]');
    const cells = grid.locator("[data-full]");
    expect(await cells.count()).toBeLessThan(1000);
    expect(await page.locator("#tensor-panel .note").textContent()).toContain("128×784 = 100352 entries");
    await grid.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
      el.scrollLeft = el.scrollWidth;
    });
    const last = grid.locator('[data-row="127"][data-col="783"]');
    await last.waitFor({ timeout: PATIENCE });
    expect(await cells.count()).toBeLessThan(1000);
    // The server's problem: random inputs with m = 4 and params from init, seed 1, as the CLI binds them.
    const bound = randomBindings(graph, 4, 1).values;
    const W1 = bound.get("W1")!;
    expect(Number(await last.getAttribute("data-full"))).toBe(W1.data[127 * 784 + 783]);
    await last.fill("0.5");
    await last.press("Enter");
    await expect.poll(() => last.getAttribute("data-full"), { timeout: PATIENCE }).toBe("0.5");
    const changed = W1.data.slice();
    changed[127 * 784 + 783] = 0.5;
    bound.set("W1", tensor(128, 784, changed));
    const J = forward(graph, bound).get(graph.loss)!.data[0];
    await expect.poll(async () => Math.abs(Number(await page.locator("#cost").getAttribute("data-value")) - J), { timeout: PATIENCE }).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(J)));
    await page.close();
  });

  it("logged no errors in the browser console", () => {
    expect(problems).toEqual([]);
  });
});

/**
 * The explorer end to end, as a user meets it: `gradstream serve` started as a process, the page opened
 * in Debian's headless Chromium (driven by playwright-core; never a downloaded browser). Every node of
 * the graph must be drawn; after an input is changed on the page, J and the gradients on the page must
 * equal what `gradstream grad --json` computes for the same data; a gradient step must move each param
 * by −lr·dJ/dparam as the CLI computes it; invalid values must be refused with a message while the last
 * good state stays; the slider stays on its entry; small tensors show every entry in their box (L's
 * gradient reads 1/m in each sample); the header names the batch loaded; the page says "update", never
 * "epoch", for a recomputation. (Training, the decision boundary and the cost chart: explorerTraining;
 * every shipped graph, zoom, pan and large tensors: explorerGraphs.)
 *
 * Chromium missing is a failure, not a skip: `.ci/run` installs it (`apt-get install -y chromium`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServe, type ServeProcess } from "./serveProcess.ts";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { allIds, type Graph } from "../../src/graph/graph.ts";
import { REPO, runCli } from "../helpers/runCli.ts";
import { formatNumber } from "../../src/cli/format.ts";
import { PATIENCE, launchChromium, openPage } from "./chromium.ts";

const GRAPH = "graphs/planar-tanh.yaml";
const DATA = "tests/view/planar-data.json";

interface Matrix {
  data: number[][];
}
interface GradJson {
  loss: number;
  values: Record<string, Matrix>;
  grads: Record<string, Matrix>;
}

let dir: string;
let server: ServeProcess | undefined;
let context: BrowserContext | undefined;
let page: Page;
let graph: Graph;
let data: { inputs: Record<string, number[][]>; params: Record<string, number[][]> };
let problems: string[] = [];

/** What the CLI computes for the planar data with X[row][col] replaced. */
async function cliGrad(change?: { id: string; row: number; col: number; value: number }): Promise<GradJson> {
  const changed = structuredClone(data);
  if (change) changed.inputs[change.id][change.row][change.col] = change.value;
  const file = join(dir, `data-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(changed));
  const res = await runCli(["grad", GRAPH, "--data", file, "--json"]);
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout);
}

const attr = (selector: string, name: string) => page.locator(selector).first().getAttribute(name);
const pageCost = async () => Number(await attr("#cost", "data-value"));
const frob = (m: Matrix) => Math.sqrt(m.data.flat().reduce((s, x) => s + x * x, 0));
/** Equal up to float64 rounding (the page's runtime may add fan-in terms in another order than evaluate). */
function expectClose(actual: number, expected: number, what: string): void {
  expect(Math.abs(actual - expected), `${what}: page ${actual}, CLI ${expected}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
}

async function selectNode(id: string): Promise<void> {
  await page.locator(`#graph [data-id="${id}"]`).click();
  await page.locator(".tensor-id", { hasText: new RegExp(`^${id}$`) }).waitFor({ timeout: PATIENCE });
}

/** Every number on the page for the CLI's values and gradients: J, each box's summary, the selected grad grid. */
async function expectPageEquals(reference: GradJson, selected: string): Promise<void> {
  expectClose(await pageCost(), reference.loss, "J");
  for (const id of allIds(graph)) {
    const box = `#graph [data-id="${id}"]`;
    const scalar = reference.values[id].data.length === 1 && reference.values[id].data[0].length === 1;
    expectClose(Number(await attr(box, "data-value")), scalar ? reference.values[id].data[0][0] : frob(reference.values[id]), `value of ${id}`);
    expectClose(Number(await attr(box, "data-grad")), scalar ? reference.grads[id].data[0][0] : frob(reference.grads[id]), `gradient of ${id}`);
  }
  const cells = page.locator('[data-testid="grad-grid"] [data-full]');
  const expected = reference.grads[selected].data;
  expect(await cells.count()).toBe(expected.flat().length);
  for (const cell of await cells.all()) {
    const [row, col] = [Number(await cell.getAttribute("data-row")), Number(await cell.getAttribute("data-col"))];
    expectClose(Number(await cell.getAttribute("data-full")), expected[row][col], `dJ/d${selected}[${row}][${col}]`);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gradstream-e2e-"));
  graph = await loadGraph(join(REPO, GRAPH));
  data = JSON.parse(await readFile(join(REPO, DATA), "utf8"));
  server = await startServe([GRAPH, "--data", DATA]);
  const url = server.url;
  context = await launchChromium(dir);
  ({ page, problems } = await openPage(context, url));
}, 180_000);

afterAll(async () => {
  await context?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("gradstream serve, in Chromium", () => {
  it("draws every node and every edge of the graph", async () => {
    for (const id of allIds(graph)) expect(await page.locator(`#graph svg [data-id="${id}"]`).count(), id).toBe(1);
    expect(await page.locator("#graph svg .gs-edge").count()).toBe(graph.nodes.reduce((k, n) => k + n.in.length, 0));
    expect(await page.locator('#graph [data-id="J"] .gs-one-over-m').count()).toBe(1);
    await expect.poll(() => page.locator("#one-over-m").getAttribute("data-m")).toBe("5");
  });

  it("names the batch loaded, counts updates (never epochs), and shows every entry of small tensors in their boxes", async () => {
    expect(await page.locator('[data-testid="batch"]').textContent()).toBe(`data file ${DATA} · m = 5`);
    expect(await page.locator("#updates").textContent()).toBe("0 updates · 0 optimizer steps · m = 5");
    expect(await page.locator("body").innerText()).not.toMatch(/epoch/i);
    // L is [1, m]: at m = 5 its box shows its five losses and five gradients dJ/dLᵢ = 1/m.
    const grads = page.locator('#graph [data-id="L"] .gs-entries-grad .gs-entry');
    expect(await grads.allTextContents()).toEqual(["0.2", "0.2", "0.2", "0.2", "0.2"]);
    for (const full of await grads.evaluateAll((els) => els.map((e) => e.getAttribute("data-full")))) expect(Number(full)).toBe(1 / 5);
    const values = await page.locator('#graph [data-id="L"] .gs-entries-value .gs-entry').evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-full"))));
    expect(values).toHaveLength(5);
    // The box's entries are the per-sample losses: their mean is J.
    expectClose(values.reduce((a, b) => a + b, 0) / 5, await pageCost(), "mean of L's entries");
    // W1 is 4×2: eight entries in its box, as the value grid has them.
    expect(await page.locator('#graph [data-id="W1"] .gs-entries-value .gs-entry').count()).toBe(8);
    // Z1 is 4×m = 20 entries: too many for the box, which shows norms.
    expect(await page.locator('#graph [data-id="Z1"] .gs-entry').count()).toBe(0);
    expect(await page.locator('#graph [data-id="Z1"] .gs-value').textContent()).toMatch(/^val ‖·‖ /);
  });

  it("shows the values and gradients the CLI computes for the same data", async () => {
    await selectNode("W1");
    await expectPageEquals(await cliGrad(), "W1");
  });

  it("recomputes J and the gradients after an input entry is changed, to the CLI's numbers", async () => {
    const before = await pageCost();
    await selectNode("X");
    const cell = page.locator('[data-testid="value-grid"] input[data-row="0"][data-col="1"]');
    await cell.fill("0.75");
    await cell.press("Enter");
    await expect.poll(pageCost, { timeout: PATIENCE }).not.toBe(before);
    const reference = await cliGrad({ id: "X", row: 0, col: 1, value: 0.75 });
    await expectPageEquals(reference, "X");
    await selectNode("W1");
    await expectPageEquals(reference, "W1");
  });

  it("takes a gradient-descent step: each param moves by −lr·dJ/dparam", async () => {
    const reference = await cliGrad({ id: "X", row: 0, col: 1, value: 0.75 });
    await page.locator("#lr").fill("0.5");
    await page.locator('button[data-steps="1"]').click();
    await expect.poll(pageCost, { timeout: PATIENCE }).not.toBe(reference.loss);
    await selectNode("W1");
    const cells = await page.locator('[data-testid="value-grid"] [data-full]').all();
    expect(cells).toHaveLength(8);
    for (const cell of cells) {
      const [row, col] = [Number(await cell.getAttribute("data-row")), Number(await cell.getAttribute("data-col"))];
      const expected = reference.values.W1.data[row][col] - 0.5 * reference.grads.W1.data[row][col];
      expectClose(Number(await cell.getAttribute("data-full")), expected, `W1[${row}][${col}] after one step`);
    }
    expect(await page.locator("#updates").textContent()).toContain("1 optimizer step ");
  });

  it("drives the focused entry with the slider", async () => {
    await selectNode("W1");
    const cell = page.locator('[data-testid="value-grid"] input[data-row="2"][data-col="1"]');
    await cell.click();
    const slider = page.locator('[data-testid="slider"]');
    expect(await slider.isEnabled()).toBe(true);
    const [min, max, step] = ["min", "max", "step"].map(async (name) => Number(await slider.getAttribute(name)));
    const cost = await pageCost();
    const before = await cell.getAttribute("data-full");
    const target = (await min) + 0.25 * ((await max) - (await min));
    await slider.fill(String(target));
    await expect.poll(() => cell.getAttribute("data-full"), { timeout: PATIENCE }).not.toBe(before);
    // The slider snaps to its step; the entry takes the slider's value.
    expect(Math.abs(Number(await cell.getAttribute("data-full")) - target)).toBeLessThanOrEqual(await step);
    expect(await pageCost()).not.toBe(cost);
  });

  it("keeps the slider on the focused entry through gradient steps (regression: its caption kept the old value and dragging did nothing)", async () => {
    await selectNode("W1");
    const cell = page.locator('[data-testid="value-grid"] [data-row="0"][data-col="0"]');
    await cell.click();
    const slider = page.locator('[data-testid="slider"]');
    const caption = page.locator('[data-testid="slider-label"]');
    const before = await cell.getAttribute("data-full");
    await page.locator('button[data-steps="10"]').click();
    await expect.poll(() => cell.getAttribute("data-full"), { timeout: PATIENCE }).not.toBe(before);
    const now = Number(await cell.getAttribute("data-full"));
    await expect.poll(() => caption.textContent(), { timeout: 5000 }).toContain(`W1[0][0] = ${formatNumber(now, 8)}`);
    expect(Number(await slider.inputValue())).toBeCloseTo(now, 12);
    const cost = await pageCost();
    const target = now + 0.5;
    await slider.fill(String(target));
    await expect.poll(() => cell.getAttribute("data-full"), { timeout: PATIENCE }).not.toBe(String(now));
    expect(Math.abs(Number(await cell.getAttribute("data-full")) - target)).toBeLessThanOrEqual(Number(await slider.getAttribute("step")));
    expect(await pageCost()).not.toBe(cost);
    // Through a reset too: back to the initial params, and the caption follows.
    await page.locator("#reset").click();
    await expect.poll(() => cell.getAttribute("data-full"), { timeout: PATIENCE }).toBe(String(data.params.W1[0][0]));
    expect(await caption.textContent()).toBe(`W1[0][0] = ${formatNumber(data.params.W1[0][0], 8)}`);
    expect(Number(await slider.inputValue())).toBeCloseTo(data.params.W1[0][0], 12);
  });

  it("refuses a non-number and a wrong shape with a message, and keeps the last good state", async () => {
    const cost = await pageCost();
    await selectNode("X");
    const cell = page.locator('[data-testid="value-grid"] input[data-row="1"][data-col="2"]');
    const good = await cell.getAttribute("data-full");
    await cell.fill("abc");
    await cell.press("Enter");
    await expect.poll(() => page.locator('[data-testid="error"]').isVisible(), { timeout: PATIENCE }).toBe(true);
    expect(await page.locator('[data-testid="error"]').textContent()).toContain('"abc" is not a number');
    expect(await pageCost()).toBe(cost);
    expect(await cell.inputValue()).not.toBe("abc");
    expect(await cell.getAttribute("data-full")).toBe(good);

    await page.locator('[data-testid="json"]').fill("[[1, 2], [3, 4]]");
    await page.locator('[data-testid="json-set"]').click();
    await expect.poll(() => page.locator('[data-testid="error"]').textContent(), { timeout: PATIENCE }).toContain("m must agree");
    expect(await pageCost()).toBe(cost);
  });

  it("changes m to a new random batch and shows the new 1/m", async () => {
    await page.locator("#source").selectOption("random");
    await page.locator("#m").fill("7");
    await page.locator("#load").click();
    await expect.poll(() => page.locator("#one-over-m").getAttribute("data-m"), { timeout: PATIENCE }).toBe("7");
    expect(await page.locator("#one-over-m").textContent()).toContain(`1/m = ${Number((1 / 7).toPrecision(6))}`);
    expect(await page.locator('[data-testid="error"]').isVisible()).toBe(false);
    expect(await page.locator('[data-testid="batch"]').textContent()).toBe("random batch · m = 7 · seed 1");
    // The server lays the graph out again for m = 7 (L's box now holds seven entries), each dJ/dLᵢ = 1/7.
    const grads = page.locator('#graph [data-id="L"] .gs-entries-grad .gs-entry');
    await expect.poll(() => grads.count(), { timeout: PATIENCE }).toBe(7);
    expect(await grads.evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-full"))))).toEqual(Array(7).fill(1 / 7));
    expect(await page.locator("#history .mark text").allTextContents()).toContain("m = 7");
    await page.locator("#m").fill("0");
    await page.locator("#load").click();
    await expect.poll(() => page.locator('[data-testid="error"]').textContent(), { timeout: PATIENCE }).toContain("m must be an integer");
    expect(await page.locator("#one-over-m").getAttribute("data-m")).toBe("7");
  });

  it("clears and disables the slider when its entry is gone (a smaller m)", async () => {
    await selectNode("X");
    const cell = page.locator('[data-testid="value-grid"] [data-row="1"][data-col="6"]');
    await cell.click();
    const slider = page.locator('[data-testid="slider"]');
    expect(await slider.isEnabled()).toBe(true);
    await page.locator("#m").fill("4");
    await page.locator("#load").click();
    await expect.poll(() => page.locator('[data-testid="slider-label"]').textContent(), { timeout: PATIENCE }).toContain("X[1][6] is gone: X is now 2×4");
    expect(await slider.isDisabled()).toBe(true);
    expect(await page.locator('[data-testid="value-grid"] [data-full]').count()).toBe(8);
    // Regression: the next redraw (here a gradient step) replaced the message with the plain hint, so on a
    // busy machine the message could vanish before anyone read it.
    const updates = await page.locator("#updates").getAttribute("data-updates");
    await page.locator('button[data-steps="1"]').click();
    await expect.poll(() => page.locator("#updates").getAttribute("data-updates"), { timeout: PATIENCE }).not.toBe(updates);
    expect(await page.locator('[data-testid="slider-label"]').textContent()).toContain("X[1][6] is gone: X is now 2×4");
    expect(await slider.isDisabled()).toBe(true);
  });

  it("logged no errors in the browser console", () => {
    expect(problems).toEqual([]);
  });
});

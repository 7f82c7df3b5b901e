/**
 * The explorer end to end, as a user meets it: `gradstream serve` started as a process, the page opened
 * in Debian's headless Chromium (driven by playwright-core; never a downloaded browser). Every node of
 * the graph must be drawn; after an input is changed on the page, J and the gradients on the page must
 * equal what `gradstream grad --json` computes for the same data; a gradient step must move each param
 * by −lr·dJ/dparam as the CLI computes it; invalid values must be refused with a message while the last
 * good state stays.
 *
 * Chromium missing is a failure, not a skip: `.ci/run` installs it (`apt-get install -y chromium`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { allIds, type Graph } from "../../src/graph/graph.ts";
import { REPO, runCli } from "../helpers/runCli.ts";

const CHROMIUM = "/usr/bin/chromium";
const GRAPH = "graphs/planar-tanh.yaml";
const DATA = "tests/view/planar-data.json";
/** Waits for the page are guards against hanging, not timed assertions. */
const PATIENCE = 60_000;

interface Matrix {
  data: number[][];
}
interface GradJson {
  loss: number;
  values: Record<string, Matrix>;
  grads: Record<string, Matrix>;
}

let dir: string;
let server: ChildProcess | undefined;
let context: BrowserContext | undefined;
let page: Page;
let graph: Graph;
let data: { inputs: Record<string, number[][]>; params: Record<string, number[][]> };
const problems: string[] = [];

async function startServer(): Promise<string> {
  const child = spawn(process.execPath, [join(REPO, "dist/bin/gradstream.js"), "serve", GRAPH, "--data", DATA, "--port", "0", "--no-watch"], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  server = child;
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  return new Promise<string>((resolve, reject) => {
    let stdout = "";
    child.stdout!.on("data", (d) => {
      stdout += d;
      const m = stdout.match(/^gradstream explorer: (http:\/\/127\.0\.0\.1:\d+\/)$/m);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`gradstream serve exited with ${code} before printing its URL:\n${stdout}${stderr}`)));
  });
}

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
  if (!existsSync(CHROMIUM)) throw new Error(`Debian's chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (.ci/run does this). The explorer test needs a real browser.`);
  dir = await mkdtemp(join(tmpdir(), "gradstream-e2e-"));
  graph = await loadGraph(join(REPO, GRAPH));
  data = JSON.parse(await readFile(join(REPO, DATA), "utf8"));
  const url = await startServer();
  context = await chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1400, height: 1000 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
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

describe("gradstream serve, in Chromium", () => {
  it("draws every node and every edge of the graph", async () => {
    for (const id of allIds(graph)) expect(await page.locator(`#graph svg [data-id="${id}"]`).count(), id).toBe(1);
    expect(await page.locator("#graph svg .gs-edge").count()).toBe(graph.nodes.reduce((k, n) => k + n.in.length, 0));
    expect(await page.locator('#graph [data-id="J"] .gs-one-over-m').count()).toBe(1);
    await expect.poll(() => page.locator("#one-over-m").getAttribute("data-m")).toBe("5");
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
    expect(await page.locator("#epoch").textContent()).toContain("1 step");
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
    await page.locator("#m").fill("7");
    await page.locator("#new-batch").click();
    await expect.poll(() => page.locator("#one-over-m").getAttribute("data-m"), { timeout: PATIENCE }).toBe("7");
    expect(await page.locator("#one-over-m").textContent()).toContain(`1/m = ${Number((1 / 7).toPrecision(6))}`);
    expect(await page.locator('[data-testid="error"]').isVisible()).toBe(false);
    await page.locator("#m").fill("0");
    await page.locator("#new-batch").click();
    await expect.poll(() => page.locator('[data-testid="error"]').textContent(), { timeout: PATIENCE }).toContain("m must be an integer");
    expect(await page.locator("#one-over-m").getAttribute("data-m")).toBe("7");
  });

  it("logged no errors in the browser console", () => {
    expect(problems).toEqual([]);
  });
});

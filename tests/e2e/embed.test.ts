/**
 * examples/embed, as its README says to use it: built with its build script, served as static files, opened
 * in Debian's Chromium (playwright-core). Moving the slider with the keyboard must update J and dJ/dW2 on
 * the page to what the library computes in Node for the same weight.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { promisify } from "node:util";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { REPO } from "../helpers/runCli.ts";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { loadData } from "../../src/node/loadData.ts";
import { createRuntime } from "../../src/runtime/createRuntime.ts";
import { tensor } from "../../src/tensor/tensor.ts";

const CHROMIUM = "/usr/bin/chromium";
const SITE = join(REPO, "examples/embed/dist");
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".yaml": "text/yaml", ".json": "application/json" };

let server: Server;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];

/** J and dJ/dW2 from the library in Node, with W2[0][0] set to `w`. */
async function nodeComputes(w: number): Promise<{ J: number; dW2: number[] }> {
  const graph = await loadGraph(join(REPO, "graphs/planar-tanh.yaml"));
  const { values } = await loadData(join(REPO, "data/planar-small.json"), graph);
  const W2 = values.get("W2")!;
  const changed = Float64Array.from(W2.data);
  changed[0] = w;
  values.set("W2", tensor(1, 4, changed));
  const params = Object.fromEntries(graph.params.map((p) => [p.id, values.get(p.id)!]));
  const rt = createRuntime(graph, { inputs: { X: values.get("X")!, Y: values.get("Y")! }, params });
  const snap = rt.snapshot();
  rt.dispose();
  return { J: snap.values.J.data[0], dW2: Array.from(snap.grads.W2.data) };
}

/** The weight the runtime holds (its caption), J and dJ/dW2, as the page shows them. */
async function pageShows(): Promise<{ weight: number; J: number; dW2: number[] }> {
  return page.evaluate(() => ({
    weight: Number(document.getElementById("weight-value")!.textContent),
    J: Number(document.getElementById("J")!.textContent),
    dW2: Array.from(document.querySelectorAll("#dW2 td"), (td) => Number(td.textContent)),
  }));
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Debian's chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (.ci/run does this).`);
  await promisify(execFile)(process.execPath, [join(REPO, "examples/embed/build.mjs")], { cwd: REPO });
  server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^\/+/, "") || "index.html";
    try {
      const body = await readFile(join(SITE, path));
      res.writeHead(200, { "Content-Type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  context = await chromium.launchPersistentContext(join(mkdtempSync(join(tmpdir(), "gs-embed-")), "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await page.locator("body[data-ready=true]").waitFor({ timeout: 60_000 });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await new Promise((resolve) => server?.close(resolve));
});

describe("examples/embed in Chromium", () => {
  it("shows the J and dJ/dW2 that Node computes for the data's weights", async () => {
    const shown = await pageShows();
    const expected = await nodeComputes(shown.weight);
    expect(shown.weight).toBe(-0.01057952); // W2[0][0] of data/planar-small.json
    expect(shown.J).toBe(expected.J);
    expect(shown.dW2).toEqual(expected.dW2);
  });

  it("moving the slider updates J and dJ/dW2 to Node's values for the new weight", async () => {
    const before = await pageShows();
    await page.locator("#weight").focus();
    for (let i = 0; i < 40; i++) await page.keyboard.press("ArrowRight");
    await page.waitForFunction((w) => Number(document.getElementById("weight-value")!.textContent) !== w, before.weight);
    const after = await pageShows();
    // The slider moves in steps of 0.01 from where it stood: the runtime holds exactly the slider's value.
    expect(after.weight).toBe(Number(await page.locator("#weight").inputValue()));
    expect(after.weight).toBeGreaterThan(before.weight);
    const expected = await nodeComputes(after.weight);
    expect(after.J).not.toBe(before.J);
    expect(after.J).toBe(expected.J);
    expect(after.dW2).toEqual(expected.dW2);
    expect(problems).toEqual([]);
  });
});

/**
 * The explorer's server over plain HTTP (the page itself is tested in tests/e2e): what it serves, what
 * it refuses, and how it tells the page about a changed graph file: the layout is kept when only values
 * or inits change and recomputed when the structure does; a file that no longer reads is reported and
 * the last good version stays.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "node:http";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startExplorerServer, type ExplorerServer } from "../../src/view/explorerServer.ts";
import type { ExplorerProblem } from "../../src/view/explorerProblem.ts";
import { GradstreamError } from "../../src/errors.ts";
import { REPO, runCli } from "../helpers/runCli.ts";

let dir: string;
let graphPath: string;
let server: ExplorerServer;

function get(path: string, init: { method?: string; host?: string } = {}): Promise<{ status: number; type: string; body: string; headers: Record<string, unknown> }> {
  const url = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? "GET", headers: init.host ? { host: init.host } : {} }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, type: String(res.headers["content-type"]), body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Collects Server-Sent Events; `next(name)` resolves with the data of the next event of that name. */
function events() {
  const seen: { event: string; data: string }[] = [];
  const waiters: { name: string; resolve: (data: unknown) => void }[] = [];
  let buffer = "";
  const req = request(new URL("/api/events", server.url), (res) => {
    res.setEncoding("utf8");
    res.on("data", (chunk) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) {
          seen.push({ event, data });
          const i = waiters.findIndex((w) => w.name === event);
          if (i >= 0) waiters.splice(i, 1)[0].resolve(JSON.parse(data));
        }
      }
    });
  });
  req.end();
  return {
    next: (name: string) => new Promise<unknown>((resolve) => waiters.push({ name, resolve })),
    close: () => req.destroy(),
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gradstream-serve-"));
  graphPath = join(dir, "planar.yaml");
  await copyFile(join(REPO, "graphs/planar-tanh.yaml"), graphPath);
  server = await startExplorerServer({ graphPath, port: 0 });
}, 180_000);

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("explorer server", () => {
  it("listens on 127.0.0.1 and serves the page and the problem", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get("/");
    expect(page.status).toBe(200);
    expect(page.type).toContain("text/html");
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(page.body)![1];
    expect((await get(`/${script}`)).type).toContain("text/javascript");
    expect(page.headers["content-security-policy"]).toContain("default-src 'self'");
    const problem: ExplorerProblem = JSON.parse((await get("/api/problem")).body);
    expect(problem.graph.text).toBe(await readFile(graphPath, "utf8"));
    expect(problem.data).toBeNull();
    expect(problem.m).toBe(4);
    expect(problem.layout.nodes.map((n) => n.id).sort()).toEqual(["A1", "A2", "J", "L", "W1", "W2", "X", "Y", "Z1", "Z2", "b1", "b2"]);
  });

  it("lays out for another m: boxes of tensors with 2 to 16 entries get room for them, the same layout above m = 16", async () => {
    const problem: ExplorerProblem = JSON.parse((await get("/api/problem")).body);
    const entries = (layout: ExplorerProblem["layout"]) => Object.fromEntries(layout.nodes.filter((n) => n.entries).map((n) => [n.id, n.entries]));
    // The random batch has m = 4: every tensor with m columns has at most 16 entries, and shows them, as do the small params.
    expect(entries(problem.layout)).toEqual({ X: [2, 4], Y: [1, 4], W1: [4, 2], b1: [4, 1], W2: [1, 4], Z1: [4, 4], A1: [4, 4], Z2: [1, 4], A2: [1, 4], L: [1, 4] });
    const at = async (m: string) => {
      const res = await get(`/api/layout?m=${m}`);
      return { status: res.status, body: res.status === 200 ? (JSON.parse(res.body) as { version: number; m: number; layout: ExplorerProblem["layout"] }) : undefined };
    };
    const ten = (await at("10")).body!;
    expect(ten.m).toBe(10);
    expect(entries(ten.layout)).toEqual({ Y: [1, 10], W1: [4, 2], b1: [4, 1], W2: [1, 4], Z2: [1, 10], A2: [1, 10], L: [1, 10] });
    const big = (await at("400")).body!.layout;
    expect(entries(big)).toEqual({ W1: [4, 2], b1: [4, 1], W2: [1, 4] });
    expect((await at("17")).body!.layout).toEqual(big);
    const l = big.nodes.find((n) => n.id === "L")!;
    expect(ten.layout.nodes.find((n) => n.id === "L")!.height).toBeGreaterThan(l.height);
    for (const bad of ["0", "-1", "abc", "1e3", "2.5", "99999999", ""]) expect((await at(bad)).status, bad).toBe(400);
  });

  it("refuses other hosts, other methods and unknown paths", async () => {
    expect((await get("/", { host: "evil.example:80" })).status).toBe(403);
    expect((await get("/api/problem", { host: `localhost:${server.port}` })).status).toBe(200);
    expect((await get("/", { method: "POST" })).status).toBe(405);
    expect((await get("/../package.json")).status).toBe(404);
    expect((await get("/nothing.js")).status).toBe(404);
  });

  it("reports a changed graph file, keeping the layout unless the structure changed, and the last good version when it breaks", async () => {
    const first: ExplorerProblem = JSON.parse((await get("/api/problem")).body);
    const stream = events();
    const original = await readFile(graphPath, "utf8");
    try {
      let next = stream.next("problem");
      await writeFile(graphPath, original.replace("W1: { shape: [4, 2], init: { normal: 0.01 } }", "W1: { shape: [4, 2], init: zeros }"));
      expect(await next).toEqual({ version: 2 });
      const sameStructure: ExplorerProblem = JSON.parse((await get("/api/problem")).body);
      expect(sameStructure.graph.text).toContain("init: zeros");
      expect(sameStructure.layout).toEqual(first.layout);

      next = stream.next("problem");
      await writeFile(graphPath, original.replace("A1: { op: tanh, in: [Z1] }", "A1: { op: relu, in: [Z1] }"));
      expect(await next).toEqual({ version: 3 });
      const changed: ExplorerProblem = JSON.parse((await get("/api/problem")).body);
      expect(changed.layoutKey).not.toBe(first.layoutKey);
      expect(changed.layout.nodes.find((n) => n.id === "A1")!.subtitle).toBe("relu");

      const broken = stream.next("problem-error");
      await writeFile(graphPath, original.replace("in: [Z1] }", "in: [Z9] }"));
      expect(((await broken) as { message: string }).message).toContain("input 'Z9' is not defined");
      expect(JSON.parse((await get("/api/problem")).body).version).toBe(3);
    } finally {
      stream.close();
      await writeFile(graphPath, original);
    }
  });

  it("names a port in use as a usage error", async () => {
    const error = await startExplorerServer({ graphPath, port: server.port, watch: false }).catch((e) => e);
    expect(error).toBeInstanceOf(GradstreamError);
    expect(error.message).toContain(`port ${server.port} is in use`);
  });

  it("exits with status 2 when it cannot listen, leaving no file watcher behind (regression: it hung)", async () => {
    // The CLI as a user runs it, file watching on: the process must end by itself.
    const result = await runCli(["serve", graphPath, "--port", String(server.port)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`port ${server.port} is in use`);
  });
});

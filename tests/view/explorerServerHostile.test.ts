/**
 * The explorer server on hostile requests and edits (issue 10): a malformed request target is the
 * client's mistake (400, it was 500), and an edit that validates but cannot be evaluated is reported to
 * the page as `problem-error` while the last good problem stays served.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "node:net";
import { request } from "node:http";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startExplorerServer, type ExplorerServer } from "../../src/view/explorerServer.ts";
import type { ExplorerProblem } from "../../src/view/explorerProblem.ts";
import { REPO } from "../helpers/runCli.ts";

let dir: string;
let graphPath: string;
let server: ExplorerServer;

/** Sends a raw request line (node's http client would refuse to send a malformed target) and returns the status. */
function rawStatus(target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, "127.0.0.1", () => socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    let reply = "";
    socket.setEncoding("utf8");
    socket.on("data", (d) => (reply += d));
    socket.on("end", () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1])));
    socket.on("error", reject);
  });
}

function getProblem(): Promise<ExplorerProblem> {
  return new Promise((resolve, reject) => {
    request(new URL("/api/problem", server.url), (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve(JSON.parse(body)));
    })
      .on("error", reject)
      .end();
  });
}

/** The data of the next Server-Sent Event named `name`. */
function nextEvent(name: string): { data: Promise<{ message?: string; version?: number }>; close: () => void } {
  let close = () => {};
  const data = new Promise<{ message?: string }>((resolve) => {
    const req = request(new URL("/api/events", server.url), (res) => {
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        buffer += chunk;
        const match = new RegExp(`event: ${name}\\ndata: (.*)\\n\\n`).exec(buffer);
        if (match) resolve(JSON.parse(match[1]));
      });
    });
    req.end();
    close = () => req.destroy();
  });
  return { data, close: () => close() };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gradstream-serve-hostile-"));
  graphPath = join(dir, "planar.yaml");
  await copyFile(join(REPO, "graphs/planar-tanh.yaml"), graphPath);
  server = await startExplorerServer({ graphPath, port: 0 });
}, 180_000);

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("explorer server, hostile input", () => {
  // regression: `new URL` threw on these, and the catch-all answered 500
  it("a malformed request target is a 400, and the server goes on", async () => {
    expect(await rawStatus("//")).toBe(400);
    expect(await rawStatus("http://[")).toBe(400);
    expect(await rawStatus("/api/problem")).toBe(200);
  });

  it("an edit that validates but cannot be evaluated is reported, and the last good problem stays", async () => {
    const good = await getProblem();
    const planar = await readFile(graphPath, "utf8");
    const events = nextEvent("problem-error");
    // A1 = Z1 ⊙ Z1 with W1 ~ 1e300: valid shapes, and a value past float64 in A1
    await writeFile(graphPath, planar.replace("W1: { shape: [4, 2], init: { normal: 0.01 } }", "W1: { shape: [4, 2], init: { normal: 1e300 } }").replace("A1: { op: tanh, in: [Z1] }", "A1: { op: mul, in: [Z1, Z1] }"));
    try {
      const { message } = await events.data;
      expect(message).toMatch(new RegExp(`^${graphPath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: node A1: its value is Infinity at \\[0\\]\\[0\\] \\(mul of Z1, Z1\\)`));
    } finally {
      events.close();
    }
    const after = await getProblem();
    expect(after.version).toBe(good.version);
    expect(after.graph.text).toBe(good.graph.text);
  }, 20_000);
});

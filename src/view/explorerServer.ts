/**
 * The explorer's HTTP server (node:http): the page (prebuilt into dist/explorer by the package build),
 * `GET /api/problem` (the graph text, the data, the layout), `GET /api/layout?m=N` (the layout for another
 * batch size: boxes of tensors with 2 to 16 entries at that m have room to show them) and `GET /api/events`
 * (Server-Sent Events: `problem` when the graph or data file changes on disk and still reads,
 * `problem-error` with the message when it does not). The page runs the runtime itself; the server lays
 * out once per structure and per set of tensors that show their entries (at most 17 sets: every m above
 * 16 gives the same), and caches the result.
 *
 * Bound to 127.0.0.1 unless told otherwise. On a loopback address it also refuses requests whose Host is
 * not a loopback name, so a web page elsewhere cannot reach it through DNS rebinding.
 *
 * @example
 * const server = await startExplorerServer({ graphPath: "graphs/planar-tanh.yaml", port: 0 });
 * console.log(server.url); await server.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { unwatchFile, watchFile } from "node:fs";
import { extname } from "node:path";
import type { AddressInfo } from "node:net";
import { GradstreamError } from "../errors.ts";
import { parseGraph, MAX_GRAPH_FILE_BYTES } from "../graph/parseGraph.ts";
import { readText } from "../node/readText.ts";
import { readDataFile } from "../node/loadData.ts";
import { completeBindings, randomBindings, type Bindings } from "../data/bindData.ts";
import { DEFAULT_MAX_MEMORY, checkMemoryBudget, jsonTextItem, tensorItems, type MemoryItem } from "../graph/memoryBudget.ts";
import type { Graph } from "../graph/graph.ts";
import { toRows } from "../tensor/tensor.ts";
import { evaluateFinite } from "../graph/evaluateFinite.ts";
import { escapeControls } from "../escapeControls.ts";
import { layoutGraph, layoutKey, type GraphLayout } from "./layoutGraph.ts";
import { entryShapes } from "./boxEntries.ts";
import type { ExplorerProblem } from "./explorerProblem.ts";
import { readExplorerAssets, type Asset } from "./explorerAssets.ts";

export interface ExplorerServerOptions {
  graphPath: string;
  dataPath?: string;
  /** Seed for params absent from the data and for random inputs. Default 1. */
  seed?: number;
  /** Batch size of random inputs when there is no data file. Default 4. */
  m?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 5178; 0 picks a free port. */
  port?: number;
  /** The memory the data file's tensors (and their JSON for the page) may take. Default 1 GiB. */
  maxMemory?: number;
  /** Reload when the graph or data file changes. Default true. */
  watch?: boolean;
  log?: (message: string) => void;
}

export interface ExplorerServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 5178;
const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);
const SECURITY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Content-Security-Policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
};

/** The largest m the layout endpoint answers for (the page's own limit on a batch is far lower). */
const MAX_LAYOUT_M = 1 << 20;

export async function startExplorerServer(options: ExplorerServerOptions): Promise<ExplorerServer> {
  const opts = { seed: 1, m: 4, host: "127.0.0.1", port: DEFAULT_PORT, watch: true, log: () => {}, ...options };
  const layouts = new LayoutCache();
  let problem = await readProblem(opts, 1, layouts);
  const assets = await readExplorerAssets();
  const clients = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      send(res, 500, "text/plain; charset=utf-8", `internal error: ${(e as Error).message}`);
    }
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (LOOPBACK.has(opts.host) && !isLoopbackHost(req.headers.host)) return send(res, 403, "text/plain; charset=utf-8", "this explorer only answers requests addressed to 127.0.0.1 or localhost");
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain; charset=utf-8", "only GET");
    const path = requestPath(req.url);
    if (path === undefined) return send(res, 400, "text/plain; charset=utf-8", "malformed request target");
    if (path === "/api/problem") return send(res, 200, "application/json; charset=utf-8", JSON.stringify(problem));
    if (path === "/api/layout") {
      const text = new URL(req.url ?? "/", "http://localhost").searchParams.get("m") ?? "";
      const m = /^\d{1,7}$/.test(text) ? Number(text) : NaN;
      if (!(m >= 1 && m <= MAX_LAYOUT_M)) return send(res, 400, "text/plain; charset=utf-8", `m must be an integer from 1 to ${MAX_LAYOUT_M}`);
      const graph = parseGraph(problem.graph.text, problem.graph.format, problem.graph.source);
      const version = problem.version;
      layouts.get(graph, m).then(
        (layout) => send(res, 200, "application/json; charset=utf-8", JSON.stringify({ version, m, layout })),
        (e) => send(res, 500, "text/plain; charset=utf-8", `internal error: ${(e as Error).message}`),
      );
      return;
    }
    if (path === "/api/events") {
      res.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", ...SECURITY_HEADERS });
      res.write(": gradstream explorer events\n\n");
      clients.add(res);
      req.on("close", () => clients.delete(res));
      return;
    }
    const asset: Asset | undefined = assets.get(path === "/" ? "/index.html" : path);
    if (!asset) return send(res, 404, "text/plain; charset=utf-8", `not found: ${path}`);
    send(res, 200, asset.type, asset.body, req.method === "HEAD");
  }

  function broadcast(event: string, data: unknown): void {
    for (const res of clients) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  const watched = [opts.graphPath, ...(opts.dataPath ? [opts.dataPath] : [])];
  let reloading = Promise.resolve();
  const onChange = () => {
    // Reloads run one after another, so a slow read never overwrites a newer one.
    reloading = reloading.then(async () => {
      try {
        problem = await readProblem(opts, problem.version + 1, layouts);
        opts.log(`reloaded ${watched.join(" and ")} (version ${problem.version})`);
        broadcast("problem", { version: problem.version });
      } catch (e) {
        const message = e instanceof GradstreamError ? e.message : `internal error (please report it): ${escapeControls(String(e), 4000)}`;
        opts.log(message);
        broadcast("problem-error", { message });
      }
    });
  };
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => {
      const reason = e.code === "EADDRINUSE" ? `port ${opts.port} is in use (choose another with --port, or --port 0 for a free one)` : e.code === "EADDRNOTAVAIL" || e.code === "ENOTFOUND" ? `cannot listen on host '${opts.host}'` : e.message;
      reject(new GradstreamError("USAGE", reason));
    });
    server.listen(opts.port, opts.host, () => resolve((server.address() as AddressInfo).port));
  });
  // Only once listening: a server that failed to listen must leave no watcher keeping the process alive.
  if (opts.watch) for (const file of watched) watchFile(file, { interval: 400 }, (now, before) => now.mtimeMs !== before.mtimeMs && onChange());
  const heartbeat = setInterval(() => {
    for (const res of clients) res.write(": ping\n\n");
  }, 25_000);
  heartbeat.unref();

  return {
    url: `http://${opts.host.includes(":") ? `[${opts.host}]` : opts.host}:${port}/`,
    port,
    async close() {
      clearInterval(heartbeat);
      for (const file of watched) unwatchFile(file);
      for (const res of clients) res.end();
      clients.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Layouts by structure and by which tensors show their entries; only the current structure's are kept,
 * so the cache holds at most 17 layouts.
 */
class LayoutCache {
  private structure = "";
  private readonly byEntries = new Map<string, Promise<GraphLayout>>();

  get(graph: Graph, m: number): Promise<GraphLayout> {
    const structure = layoutKey(graph);
    if (structure !== this.structure) {
      this.structure = structure;
      this.byEntries.clear();
    }
    const key = JSON.stringify(entryShapes(graph, m));
    let layout = this.byEntries.get(key);
    if (!layout) {
      layout = layoutGraph(graph, { values: true, m });
      this.byEntries.set(key, layout);
      layout.catch(() => this.byEntries.delete(key));
    }
    return layout;
  }
}

/** Reads and checks the graph and data files; reuses a cached layout when the structure is the same. */
async function readProblem(opts: Required<Pick<ExplorerServerOptions, "graphPath" | "seed" | "m">> & ExplorerServerOptions, version: number, layouts: LayoutCache): Promise<ExplorerProblem> {
  const ext = extname(opts.graphPath).toLowerCase();
  if (![".yaml", ".yml", ".json"].includes(ext)) throw new GradstreamError("USAGE", { file: opts.graphPath, message: "a graph file ends in .yaml, .yml or .json" });
  const format = ext === ".json" ? "json" : "yaml";
  const text = await readText(opts.graphPath, MAX_GRAPH_FILE_BYTES);
  const graph = parseGraph(text, format, opts.graphPath);
  let data: ExplorerProblem["data"] = null;
  let m = opts.m;
  let bindings: Bindings | undefined;
  if (opts.dataPath) {
    // Streamed into tensors within the budget, checked as the CLI checks it, then handed to the page in the
    // { shape, data } form (the page draws absent params from init with the same seed, as the CLI does).
    const maxMemory = opts.maxMemory ?? DEFAULT_MAX_MEMORY;
    const checkBatchSize = (at: number, atLeast?: boolean) => checkMemoryBudget(servedItems(graph, at), { max: maxMemory, file: graph.source, holder: "serve", m: at, atLeast, mFrom: opts.dataPath, raise: "--max-memory" });
    const contents = await readDataFile(opts.dataPath, graph, { maxMemory, raise: "--max-memory", checkBatchSize });
    bindings = completeBindings({ values: new Map(contents.values), issues: [...contents.issues] }, graph, opts.seed, opts.dataPath);
    m = bindings.m;
    const raw: { inputs: Record<string, unknown>; params: Record<string, unknown> } = { inputs: {}, params: {} };
    for (const [id, t] of contents.values) raw[graph.kinds.get(id) === "param" ? "params" : "inputs"][id] = { shape: t.shape, data: toRows(t) };
    data = { raw, source: opts.dataPath };
  }
  // The page evaluates what it is sent: an edit that validates but cannot be evaluated (an op that fails,
  // a value that overflows) is refused here, and the page keeps the last good problem.
  const plan = [...tensorItems(graph, m, "checked value"), ...tensorItems(graph, m, "checked gradient")];
  checkMemoryBudget(plan, { max: opts.maxMemory ?? DEFAULT_MAX_MEMORY, file: graph.source, holder: "serve, evaluating the graph before the page does,", m, mFrom: opts.dataPath, raise: "--max-memory" });
  evaluateFinite(graph, (bindings ?? randomBindings(graph, opts.m, opts.seed)).values);
  const layout = await layouts.get(graph, m);
  return { version, graph: { text, format, source: opts.graphPath }, data, seed: opts.seed, m: opts.m, layout, layoutKey: layoutKey(graph) };
}

/** The path of a request target, or undefined when it cannot be read as a URL (`//`, `http://[`). */
function requestPath(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? "/", "http://localhost").pathname;
  } catch {
    return undefined;
  }
}

/** What serving a data file holds: its inputs and params, and the same as JSON for the page. */
function servedItems(graph: Graph, m: number): MemoryItem[] {
  const data = tensorItems(graph, m, "value").filter((i) => graph.kinds.get(i.node!) !== "node");
  return [...data, jsonTextItem("the data as JSON for the page", data.reduce((n, i) => n + i.elements!, 0))];
}

function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith("[") ? host.slice(1, host.indexOf("]")) : host.replace(/:\d+$/, "");
  return LOOPBACK.has(name.toLowerCase());
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headOnly = false): void {
  res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", ...SECURITY_HEADERS });
  res.end(headOnly ? undefined : body);
}

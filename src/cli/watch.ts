/**
 * `gradstream watch <graph> [--data F]`: a live runtime that recomputes whenever the graph or the data file
 * changes on disk. Each recomputation (an update) prints one line: its number, the loss and every param's gradient norm.
 * An invalid edit prints its errors and keeps the last good state running; fixing the file resumes.
 */
import { watch as watchDir } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { Command } from "commander";
import { Observable, Subscription, debounceTime, map, merge } from "rxjs";
import { GradstreamError } from "../errors.ts";
import { escapeControls } from "../escapeControls.ts";
import { evaluateFinite } from "../graph/evaluateFinite.ts";
import type { Graph } from "../graph/graph.ts";
import { loadGraphAndWarn } from "./loadGraphAndWarn.ts";
import { loadData } from "../node/loadData.ts";
import { randomBindings, type Bindings } from "../data/bindData.ts";
import { createRuntime, type Runtime } from "../runtime/createRuntime.ts";
import type { Snapshot } from "../runtime/snapshot.ts";
import { norm } from "../tensor/tensor.ts";
import { display, formatNumber } from "./format.ts";
import { maxMemoryOption, nonNegativeInt, positiveInt } from "./options.ts";
import { budgetCheck, watchPlan } from "./memoryPlans.ts";
import { DEFAULT_MAX_MEMORY } from "../graph/memoryBudget.ts";

interface WatchOptions {
  data?: string;
  seed: number;
  m: number;
  /** The memory budget (--max-memory); default 1 GiB. */
  maxMemory?: number;
}

/** Emits (debounced) whenever `file` is written or replaced; watches its folder so editors that save by rename are seen. */
export function fileChanges(file: string, quietMs = 60): Observable<string> {
  const dir = dirname(resolve(file));
  const name = basename(file);
  return new Observable<string>((subscriber) => {
    const watcher = watchDir(dir, (_event, changed) => {
      if (changed === null || changed.toString() === name) subscriber.next(file);
    });
    watcher.on("error", (e) => subscriber.error(e));
    return () => watcher.close();
  }).pipe(debounceTime(quietMs));
}

export function watchCommand(): Command {
  return new Command("watch")
    .description("recompute whenever the graph or the data file changes; prints the loss and each param's gradient norm at each update")
    .argument("<graph>", "graph file (.yaml, .yml or .json)")
    .option("--data <file>", "data file (JSON) with inputs and optionally params")
    .option("--seed <n>", "seed for params absent from the data, and for random inputs", nonNegativeInt("--seed"), 1)
    .option("--m <n>", "batch size of the random inputs used when there is no --data", positiveInt("--m"), 4)
    .addOption(maxMemoryOption())
    .action(async (graphPath: string, opts: WatchOptions) => {
      const session = await startWatch(graphPath, opts, (line) => console.log(line), (line) => console.error(line));
      await new Promise<void>((done) => {
        const stop = () => {
          session.stop();
          done();
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        // Its reader gone (`gradstream watch g.yaml | head -3`), a watch has nothing left to do.
        process.stdout.once("error", stop);
      });
    });
}

export interface WatchSession {
  stop(): void;
}

/**
 * Starts watching. The first load must succeed (a bad file at start is a usage error, exit 2; a graph that
 * cannot be evaluated, exit 1); after that, errors are printed and the last good runtime keeps running.
 * Every edit is evaluated from scratch before it is taken, so one that validates but fails to evaluate (an
 * op that fails, a value that overflows) is refused like one that does not validate.
 */
export async function startWatch(graphPath: string, opts: WatchOptions, out: (line: string) => void, err: (line: string) => void): Promise<WatchSession> {
  let graph = await loadGraphAndWarn(graphPath, err);
  let bindings = await bind(graph, opts);
  evaluateFinite(graph, bindings.values);
  let runtime: Runtime | undefined;
  let printing: Subscription | undefined;

  const start = (g: Graph, b: Bindings) => {
    const next = createRuntime(g, { inputs: pick(g, b, "input"), params: pick(g, b, "param"), seed: opts.seed, maxMemory: opts.maxMemory });
    printing?.unsubscribe();
    runtime?.dispose();
    runtime = next;
    out(`watching ${display(graphPath)}${opts.data ? ` and ${display(opts.data)}` : ""} — graph ${display(g.name)}, m = ${b.m}`);
    printing = next.snapshot$.subscribe({ next: (s) => out(describe(g, s)), error: (e) => err(messageOf(e)) });
    next.errors$.subscribe((e) => err(e.message));
  };

  const reload = async (what: "graph" | "data") => {
    try {
      const g = what === "graph" ? await loadGraphAndWarn(graphPath, err) : graph;
      const b = await bind(g, opts);
      evaluateFinite(g, b.values);
      if (what === "graph") {
        graph = g;
        bindings = b;
        start(g, b);
      } else {
        runtime!.set(Object.fromEntries(b.values));
        bindings = b;
      }
    } catch (e) {
      // Not even a bug of gradstream's own may end a watch: it is reported, and the last good state stays.
      err(messageOf(e));
      err(`(${what} change refused; still running the last good state)`);
    }
  };

  const sources: Observable<"graph" | "data">[] = [fileChanges(graphPath).pipe(map(() => "graph" as const))];
  if (opts.data) sources.push(fileChanges(opts.data).pipe(map(() => "data" as const)));
  // Watched before the first line is printed: an edit made as soon as it shows is seen.
  // One reload at a time, in order: a change during a reload waits for it.
  let chain = Promise.resolve();
  const changes = merge(...sources).subscribe((what) => {
    chain = chain.then(() => reload(what));
  });
  start(graph, bindings);

  return {
    stop() {
      changes.unsubscribe();
      printing?.unsubscribe();
      runtime?.dispose();
    },
  };
}

function messageOf(e: unknown): string {
  return e instanceof GradstreamError ? e.message : `gradstream: internal error (please report it): ${escapeControls(String((e as Error)?.stack ?? e), 4000)}`;
}

/** The graph's inputs and params, from the data file or random; what the runtime will hold is checked first. */
async function bind(graph: Graph, opts: WatchOptions): Promise<Bindings> {
  const maxMemory = opts.maxMemory ?? DEFAULT_MAX_MEMORY;
  const check = budgetCheck(graph, "watch", maxMemory, (m) => watchPlan(graph, m), opts.data);
  if (opts.data) return loadData(opts.data, graph, opts.seed, { maxMemory, raise: "--max-memory", checkBatchSize: check });
  check(opts.m);
  return randomBindings(graph, opts.m, opts.seed);
}

function pick(graph: Graph, b: Bindings, kind: "input" | "param") {
  return Object.fromEntries([...b.values].filter(([id]) => graph.kinds.get(id) === kind));
}

function describe(graph: Graph, s: Snapshot): string {
  const loss = s.values[graph.loss].data[0];
  const norms = graph.params.map((p) => `‖d${p.id}‖ ${formatNumber(norm(s.grads[p.id]), 4)}`);
  return `[update ${s.epoch}] ${graph.loss} = ${formatNumber(loss, 12)}  ${norms.join("  ")}`;
}

/**
 * The explorer page: fetches the problem from `gradstream serve`, runs the runtime in the page, and
 * redraws after each transaction. Every user action goes through `act`, which shows a refused action's
 * message and redraws the last good state (the runtime has already rolled back).
 *
 * @example
 * // served by: gradstream serve graphs/planar-tanh.yaml
 */
import "./zodConfig.ts";
import { explainGraph, type Explanation } from "../src/graph/explainGraph.ts";
import { formatNumber } from "../src/cli/format.ts";
import { nodeSummaries } from "../src/view/nodeSummaries.ts";
import type { ExplorerProblem } from "../src/view/explorerProblem.ts";
import type { Subscription } from "rxjs";
import { openSession, type ExplorerSession } from "./explorerSession.ts";
import { createGraphPane } from "./graphPane.ts";
import { createTensorPanel } from "./tensorPanel.ts";
import { drawHistory } from "./costHistory.ts";
import { h } from "./dom.ts";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

let session: ExplorerSession | undefined;
let explanation: Explanation;
let subscription: Subscription | undefined;
let selected = "";
let history: number[] = [];
let redrawQueued = false;

const graphPane = createGraphPane($("graph"), (id) => {
  selected = id;
  showPanel();
  redraw();
});
const panel = createTensorPanel($("tensor-panel"), {
  setEntry: (id, row, col, text) => act(() => session!.setEntry(id, row, col, text)),
  setTensor: (id, json) => act(() => session!.setTensor(id, json)),
});

/** Runs a user action; a refusal is shown on the page and the last good state is redrawn. */
function act(action: () => void): void {
  if (!session) return;
  try {
    action();
    hideError();
  } catch (e) {
    showError((e as Error).message);
    redraw();
  }
}

function showError(message: string): void {
  $("error-text").textContent = message;
  $("error").hidden = false;
}

function hideError(): void {
  $("error").hidden = true;
}

function start(problem: ExplorerProblem): void {
  subscription?.unsubscribe();
  session?.dispose();
  session = openSession(problem);
  explanation = explainGraph(session.graph);
  const g = session.graph;
  if (!selected || !g.kinds.has(selected)) selected = g.params[0]?.id ?? g.inputs[0].id;
  history = [];
  document.title = `${g.name} · gradstream explorer`;
  $("graph-name").textContent = g.name;
  $("graph-description").textContent = [g.description, `${problem.graph.source}${problem.data ? ` · data ${problem.data.source}` : ` · random inputs, seed ${problem.seed}`}`].filter(Boolean).join(" — ");
  $("cost-label").textContent = g.loss;
  $<HTMLInputElement>("m").value = String(session.m());
  showPanel();
  subscription = session.runtime.snapshot$.subscribe((s) => {
    history.push(s.values[g.loss].data[0]);
    if (history.length > 1000) history = history.slice(-1000);
    queueRedraw();
  });
}

function showPanel(): void {
  if (session) panel.show(session.graph, explanation, selected, session.runtime.snapshot());
}

/** Many transactions in one task (×100 steps) draw once, after the last. */
function queueRedraw(): void {
  if (redrawQueued) return;
  redrawQueued = true;
  queueMicrotask(() => {
    redrawQueued = false;
    redraw();
  });
}

function redraw(): void {
  if (!session) return;
  const { graph, problem, runtime } = session;
  const s = runtime.snapshot();
  const m = session.m();
  graphPane.draw(problem.layout, nodeSummaries(graph, s.values, s.grads), { m, selected });
  panel.update(s);
  const cost = s.values[graph.loss].data[0];
  const out = $("cost");
  out.textContent = formatNumber(cost, 8);
  out.dataset.value = String(cost);
  const steps = session.steps();
  $("epoch").textContent = `epoch ${s.epoch} · ${steps} step${steps === 1 ? "" : "s"} · m = ${m}`;
  const mInput = $<HTMLInputElement>("m");
  if (document.activeElement !== mInput) mInput.value = String(m);
  drawHistory($("history") as unknown as SVGSVGElement, history);
  $("history-text").textContent = history.length > 1 ? `${graph.loss}: ${formatNumber(history[0], 5)} → ${formatNumber(cost, 5)} over the last ${history.length - 1} changes` : `${graph.loss} over time appears here as you change things`;
  drawOneOverM(m);
}

function drawOneOverM(m: number): void {
  const root = $("one-over-m");
  const weighted = explanation.weightedNodes[0];
  if (weighted) return drawOneOverSum(root, weighted, m);
  const means = explanation.meanNodes;
  if (means.length === 0) {
    root.replaceChildren(h("h2", {}, ["Where the 1/m enters"]), h("p", {}, [explanation.summary[0]]));
    return;
  }
  const mean = session!.graph.nodes.find((n) => n.id === means[0])!;
  root.replaceChildren(
    h("h2", {}, ["Where the 1/m enters ", h("span", { class: "badge" }, ["×1/m"])]),
    h("p", {}, [h("b", {}, [`${mean.id} = mean(${mean.in[0]}) = (1/m)·Σᵢ ${mean.in[0]}ᵢ`]), " — the one place the batch size enters the graph."]),
    h("p", { class: "big-m" }, [`m = ${m}`, h("span", {}, ["  so  "]), `d${mean.id}/d${mean.in[0]}ᵢ = 1/m = ${formatNumber(1 / m, 6)}`]),
    h("p", { class: "note" }, [`Every gradient to the left of ${mean.id} carries that factor. The course's per-sample dZ = m·dJ/dZ has none; it comes back in dW = (1/m)·dZ·Aᵀ and db = (1/m)·Σ dZ.`]),
  );
  root.dataset.m = String(m);
}

/** A mean over items (`weighted_mean(L, W)`): the 1/m becomes 1/ΣW, the number of items the weights count. */
function drawOneOverSum(root: HTMLElement, { node, values, weights }: Explanation["weightedNodes"][number], m: number): void {
  let items = 0;
  for (const w of session!.runtime.snapshot().values[weights].data) items += w;
  const sum = `Σ${weights}`;
  root.replaceChildren(
    h("h2", {}, ["Where the 1/m enters ", h("span", { class: "badge" }, [`×1/${sum}`])]),
    h("p", {}, [h("b", {}, [`${node} = weighted_mean(${values}, ${weights}) = (1/${sum})·Σᵢ ${weights}ᵢ·${values}ᵢ`]), ` — a mean over the items ${weights} counts, not over the samples: the 1/m becomes 1/${sum}.`]),
    h("p", { class: "big-m" }, [`${sum} = ${formatNumber(items, 6)} items in m = ${m} samples`, h("span", {}, ["  so  "]), `d${node}/d${values}ᵢ = ${weights}ᵢ/${sum} = ${weights}ᵢ × ${formatNumber(1 / items, 6)}`]),
    h("p", { class: "note" }, [`A sample with ${weights}ᵢ = 0 gets no gradient. The course's per-sample dZ = ${sum}·dJ/dZ = ${weights} ⊙ ∂L/∂Z has no 1/${sum}; it comes back in dW = (1/${sum})·dZ·Aᵀ and db = (1/${sum})·Σ dZ. Split into micro-batches, each part weighs its share of the items (gradstream split).`]),
  );
  root.dataset.m = String(m);
  root.dataset.items = String(items);
}

async function fetchProblem(): Promise<ExplorerProblem> {
  const res = await fetch("./api/problem");
  if (!res.ok) throw new Error(`the server answered ${res.status}: ${await res.text()}`);
  return res.json();
}

function wireControls(): void {
  $("new-batch").addEventListener("click", () => act(() => session!.newBatch($<HTMLInputElement>("m").value)));
  $("m").addEventListener("keydown", (e) => {
    if (e.key === "Enter") act(() => session!.newBatch($<HTMLInputElement>("m").value));
  });
  $("reset").addEventListener("click", () => act(() => session!.reset()));
  for (const button of document.querySelectorAll<HTMLButtonElement>("button[data-steps]")) {
    button.addEventListener("click", () => act(() => session!.step($<HTMLInputElement>("lr").value, Number(button.dataset.steps))));
  }
  $("error-close").addEventListener("click", hideError);
}

/** The server pushes `problem` when the graph or data file changes, and `problem-error` when it no longer reads. */
function listen(): void {
  const events = new EventSource("./api/events");
  events.addEventListener("problem", async () => {
    try {
      start(await fetchProblem());
      hideError();
    } catch (e) {
      showError((e as Error).message);
    }
  });
  events.addEventListener("problem-error", (e) => showError(`${JSON.parse((e as MessageEvent).data).message}\n(the page keeps the last version that read)`));
}

async function boot(): Promise<void> {
  wireControls();
  try {
    start(await fetchProblem());
  } catch (e) {
    showError(`cannot load the graph: ${(e as Error).message}`);
    return;
  }
  listen();
  document.body.dataset.ready = "true";
}

void boot();

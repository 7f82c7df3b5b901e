/**
 * The explorer page: fetches the problem from `gradstream serve`, runs the runtime in the page, and
 * redraws after each transaction (or, while training plays, once per animation frame). Every user action
 * goes through `act`, which shows a refused action's message and redraws the last good state (the
 * runtime has already rolled back).
 *
 * @example
 * // served by: gradstream serve graphs/planar-tanh.yaml
 */
import "./zodConfig.ts";
import { explainGraph, type Explanation } from "../src/graph/explainGraph.ts";
import { formatNumber } from "../src/cli/format.ts";
import { nodeSummaries } from "../src/view/nodeSummaries.ts";
import { entryShapes } from "../src/view/boxEntries.ts";
import type { GraphLayout } from "../src/view/layoutGraph.ts";
import type { ExplorerProblem } from "../src/view/explorerProblem.ts";
import type { TrainingRoles } from "../src/train/trainingRoles.ts";
import { DEFAULT_LEARNING_RATE, type OptimizerName } from "../src/train/createOptimizer.ts";
import type { Subscription } from "rxjs";
import { openSession, type ExplorerSession } from "./explorerSession.ts";
import { datasetRoles } from "./dataSources.ts";
import { createGraphPane } from "./graphPane.ts";
import { createTensorPanel } from "./tensorPanel.ts";
import { createCostHistory } from "./costHistory.ts";
import { costChartSvg } from "./costChart.ts";
import { createBoundaryCard } from "./boundaryCard.ts";
import { createTrainingLoop } from "./trainingLoop.ts";
import { h } from "./dom.ts";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => $<HTMLInputElement>(id);

/**
 * While training plays, each animation frame draws the header and at most one of these views, the most
 * overdue (ms between redraws), so no frame does much work. The decision boundary is made in a worker and
 * shown when it arrives (web/boundaryCard.ts).
 */
const EVERY_MS = { graph: 100, panel: 250, chart: 150 } as const;
type View = "graph" | "panel" | "chart";

let session: ExplorerSession | undefined;
let explanation: Explanation;
let roles: TrainingRoles | undefined;
let subscription: Subscription | undefined;
let layout: GraphLayout;
let layoutWanted = "";
let selected = "";
let redrawQueued = false;
const drawn: Record<View, number> = { graph: 0, panel: 0, chart: 0 };
const boundary = createBoundaryCard($("boundary"));
const history = createCostHistory();

const graphPane = createGraphPane($("graph"), (id) => {
  selected = id;
  showPanel();
  redraw();
});
const panel = createTensorPanel($("tensor-panel"), {
  setEntry: (id, row, col, text) => act(() => session!.setEntry(id, row, col, text)),
  setTensor: (id, json) => act(() => session!.setTensor(id, json)),
});
const loop = createTrainingLoop({
  step: () => session!.step(input("lr").value, 1, optimizerName()),
  frame: () => trainingFrame(),
  fail: (e) => {
    showError(`training paused: ${(e as Error).message}`);
    redraw();
  },
  changed: (playing) => {
    const play = $("play");
    play.textContent = playing ? "❚❚ Pause" : "▶ Train";
    play.setAttribute("aria-pressed", String(playing));
    document.body.dataset.training = String(playing);
    if (!playing) queueRedraw();
  },
});

const optimizerName = () => $<HTMLSelectElement>("optimizer").value as OptimizerName;

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
  loop.pause();
  subscription?.unsubscribe();
  session?.dispose();
  session = openSession(problem);
  explanation = explainGraph(session.graph);
  roles = datasetRoles(session.graph);
  layout = problem.layout;
  layoutWanted = "";
  boundary.start(session, roles);
  const g = session.graph;
  if (!selected || !g.kinds.has(selected)) selected = g.params[0]?.id ?? g.inputs[0].id;
  history.clear();
  document.title = `${g.name} · gradstream explorer`;
  $("graph-name").textContent = g.name;
  $("graph-description").textContent = [g.description, problem.graph.source].filter(Boolean).join(" — ");
  $("cost-label").textContent = g.loss;
  $("test-cost-label").textContent = g.loss;
  fillSources(session);
  input("m").value = String(session.m());
  input("seed").value = String(problem.seed);
  $("boundary-card").hidden = !roles;
  showPanel();
  subscription = session.runtime.snapshot$.subscribe((s) => {
    history.record(s.epoch, s.values[g.loss].data[0], session!.change());
    queueRedraw();
  });
}

function fillSources(s: ExplorerSession): void {
  const select = $<HTMLSelectElement>("source");
  const label = (source: string) => (source === "data" ? `data file (${s.problem.data!.source.split(/[\\/]/).pop()})` : source === "random" ? "random batch" : source);
  select.replaceChildren(...s.sources.map((source) => h("option", { value: source }, [label(source)])));
  select.value = s.batch().source;
  showSourceFields();
}

/** Shows the fields the chosen source reads: m and seed for a random batch; points, noise, test share and seed for a dataset. */
function showSourceFields(): void {
  const source = $<HTMLSelectElement>("source").value;
  const kind = source === "data" || source === "random" ? source : "dataset";
  for (const label of document.querySelectorAll<HTMLElement>("#data-card label[data-for]")) label.hidden = !label.dataset.for!.split(" ").includes(kind);
  $("m-label").textContent = kind === "dataset" ? "points" : "m";
  $("load").textContent = kind === "random" ? "New random batch" : "Load";
}

function load(): void {
  act(() =>
    session!.loadData({ source: $<HTMLSelectElement>("source").value, m: input("m").value, seed: input("seed").value, noise: input("noise").value, testPercent: input("test-share").value }),
  );
}

function showPanel(): void {
  if (session) panel.show(session.graph, explanation, selected, session.runtime.snapshot());
}

/** Many transactions in one task (×100 steps) draw once, after the last; while training plays, the loop draws. */
function queueRedraw(): void {
  if (redrawQueued || loop.playing()) return;
  redrawQueued = true;
  queueMicrotask(() => {
    redrawQueued = false;
    redraw();
  });
}

/** Asks the server for a layout with room for the entries of the tensors that have 2 to 16 at this m. */
function ensureLayout(m: number): void {
  const want = JSON.stringify(entryShapes(session!.graph, m));
  const have = JSON.stringify(Object.fromEntries(layout.nodes.filter((n) => n.entries).map((n) => [n.id, n.entries])));
  if (want === have || want === layoutWanted) return;
  layoutWanted = want;
  const version = session!.problem.version;
  fetch(`./api/layout?m=${m}`)
    .then((res) => (res.ok ? res.json() : Promise.reject(new Error(`the server answered ${res.status}`))))
    .then((answer: { version: number; layout: GraphLayout }) => {
      if (answer.version !== version || session?.problem.version !== version || layoutWanted !== want) return;
      layout = answer.layout;
      redraw();
    })
    .catch((e: Error) => showError(`cannot get the layout for m = ${m}: ${e.message}`));
}

/** Everything, now (after an action, or when training pauses). */
function redraw(): void {
  if (!session) return;
  drawHeader();
  drawView("graph");
  drawView("panel");
  drawView("chart");
  boundary.request(true);
  drawOneOverM(session.m());
}

/** While training plays: the header, and the one view most overdue. */
function trainingFrame(): void {
  if (!session) return;
  drawHeader();
  boundary.request(false);
  const now = performance.now();
  let due: View | undefined;
  let late = 0;
  for (const view of ["graph", "panel", "chart"] as const) {
    const by = now - drawn[view] - EVERY_MS[view];
    if (by >= late) (due = view), (late = by);
  }
  if (due) drawView(due);
}

/** The cost, the test cost, the counts and the batch: a few text nodes. */
function drawHeader(): void {
  const { graph, runtime } = session!;
  const s = runtime.snapshot();
  const cost = s.values[graph.loss].data[0];
  const out = $("cost");
  out.textContent = formatNumber(cost, 8);
  out.dataset.value = String(cost);
  const testCost = session!.testCost();
  $("test-cost-row").hidden = testCost === undefined;
  if (testCost !== undefined) {
    history.recordTest(s.epoch, testCost);
    $("test-cost").textContent = formatNumber(testCost, 6);
    $("test-cost").dataset.value = String(testCost);
  }
  const steps = session!.steps();
  const m = session!.m();
  const updates = $("updates");
  updates.textContent = `${s.epoch} update${s.epoch === 1 ? "" : "s"} · ${steps} optimizer step${steps === 1 ? "" : "s"} · m = ${m}`;
  updates.dataset.updates = String(s.epoch);
  updates.dataset.steps = String(steps);
  $("batch").textContent = session!.batch().text;
}

function drawView(view: View): void {
  const { graph, runtime } = session!;
  const s = runtime.snapshot();
  drawn[view] = performance.now();
  if (view === "graph") {
    const m = session!.m();
    ensureLayout(m);
    graphPane.draw(layout, nodeSummaries(graph, s.values, s.grads), { m, selected });
  } else if (view === "panel") panel.update(s);
  else {
    $("history").innerHTML = costChartSvg(history, { width: 380, height: 210 }, graph.loss);
    const shown = history.updates.length;
    const cost = s.values[graph.loss].data[0];
    $("history-text").textContent = shown > 1 ? `${graph.loss}: ${formatNumber(history.train[0], 5)} → ${formatNumber(cost, 5)} over the last ${shown - 1} updates` : `${graph.loss} after each update appears here`;
  }
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
  $("zoom-in").addEventListener("click", () => graphPane.zoom(1.25));
  $("zoom-out").addEventListener("click", () => graphPane.zoom(0.8));
  $("fit").addEventListener("click", () => graphPane.fit());
  $("play").addEventListener("click", () => {
    if (loop.playing()) loop.pause();
    else {
      hideError();
      loop.play(); // a refused learning rate pauses it with the message
    }
  });
  for (const button of document.querySelectorAll<HTMLButtonElement>("button[data-steps]")) {
    button.addEventListener("click", () => act(() => session!.step(input("lr").value, Number(button.dataset.steps), optimizerName())));
  }
  $("optimizer").addEventListener("change", () => (input("lr").value = String(DEFAULT_LEARNING_RATE[optimizerName()])));
  $("source").addEventListener("change", () => {
    showSourceFields();
    load();
  });
  $("load").addEventListener("click", load);
  for (const id of ["m", "seed", "noise", "test-share"]) {
    input(id).addEventListener("keydown", (e) => {
      if (e.key === "Enter") load();
    });
  }
  $("reset").addEventListener("click", () => act(() => session!.reset()));
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

/**
 * The panel for the selected id: its value (editable entry by entry, with a slider for the focused entry,
 * or whole as JSON, for inputs and params) and its gradient dJ/d(id), with the equations that form that
 * gradient in both conventions. Numbers are shown short; each cell carries its full float64 in
 * `data-full`.
 *
 * @example
 * const panel = createTensorPanel(el, { setEntry, setTensor });
 * panel.show(graph, explanation, "W1", snapshot); panel.update(nextSnapshot);
 */
import type { Graph } from "../src/graph/graph.ts";
import type { Explanation } from "../src/graph/explainGraph.ts";
import type { Snapshot } from "../src/runtime/snapshot.ts";
import type { Tensor } from "../src/tensor/tensor.ts";
import { formatNumber } from "../src/cli/format.ts";
import { h } from "./dom.ts";

export interface TensorActions {
  setEntry(id: string, row: number, col: number, text: string): void;
  setTensor(id: string, json: string): void;
}

export interface TensorPanel {
  show(graph: Graph, explanation: Explanation, id: string, snapshot: Snapshot): void;
  update(snapshot: Snapshot): void;
}

/** The largest block of a tensor shown as cells; the rest is reachable through JSON. */
const MAX_ROWS = 8;
const MAX_COLS = 8;
/** Tensors up to this many elements can be copied into the JSON box. */
const MAX_JSON_ELEMENTS = 4096;

export function createTensorPanel(root: HTMLElement, actions: TensorActions): TensorPanel {
  let id = "";
  let editable = false;
  let valueCells: HTMLElement[] = [];
  let gradCells: HTMLElement[] = [];
  let focused: { row: number; col: number; input: HTMLInputElement } | undefined;
  /** The cell being typed in: updates leave its text alone until the user commits it. */
  let editing: HTMLInputElement | undefined;
  let slider: HTMLInputElement;
  let sliderLabel: HTMLElement;
  let shapeNote: HTMLElement;
  let current: Snapshot;

  const cellText = (x: number) => formatNumber(x, 6);

  function fillCells(cells: HTMLElement[], t: Tensor): void {
    const cols = t.shape[1];
    for (const cell of cells) {
      const x = t.data[Number(cell.dataset.row) * cols + Number(cell.dataset.col)];
      cell.dataset.full = String(x);
      if (cell instanceof HTMLInputElement) {
        if (cell !== editing) cell.value = cellText(x);
      } else cell.textContent = cellText(x);
    }
  }

  function grid(t: Tensor, kind: "value" | "grad"): { table: HTMLElement; cells: HTMLElement[] } {
    const [rows, cols] = t.shape;
    const cells: HTMLElement[] = [];
    const body = h("tbody");
    for (let r = 0; r < Math.min(rows, MAX_ROWS); r++) {
      const tr = h("tr");
      for (let c = 0; c < Math.min(cols, MAX_COLS); c++) {
        const cell = kind === "value" && editable ? editableCell(r, c) : h("span", { class: "num" });
        cell.dataset.row = String(r);
        cell.dataset.col = String(c);
        cells.push(cell);
        tr.append(h("td", {}, [cell]));
      }
      if (cols > MAX_COLS) tr.append(h("td", { class: "more" }, ["…"]));
      body.append(tr);
    }
    if (rows > MAX_ROWS) body.append(h("tr", {}, [h("td", { class: "more", colspan: String(Math.min(cols, MAX_COLS) + 1) }, [`… ${rows - MAX_ROWS} more rows`])]));
    return { table: h("table", { class: `matrix matrix-${kind}`, "data-testid": `${kind}-grid` }, [body]), cells };
  }

  function editableCell(row: number, col: number): HTMLInputElement {
    const input = h("input", { class: "cell", type: "text", autocomplete: "off", spellcheck: "false", "aria-label": `${id}[${row}][${col}]` }) as HTMLInputElement;
    input.addEventListener("focus", () => {
      focused = { row, col, input };
      aimSlider();
    });
    input.addEventListener("input", () => (editing = input));
    input.addEventListener("change", () => {
      editing = undefined;
      actions.setEntry(id, row, col, input.value);
    });
    input.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        editing = undefined;
        input.value = cellText(Number(input.dataset.full));
        input.blur();
      }
    });
    return input;
  }

  /** Centres the slider on the focused entry, with a range that scales with its size. */
  function aimSlider(): void {
    if (!focused) return;
    const x = Number(focused.input.dataset.full);
    const reach = Math.max(1, 2 * Math.abs(x));
    slider.min = String(x - reach);
    slider.max = String(x + reach);
    slider.step = String(reach / 500);
    slider.value = String(x);
    slider.disabled = false;
    sliderLabel.textContent = `${id}[${focused.row}][${focused.col}] = ${formatNumber(x, 8)}`;
  }

  return {
    show(graph, explanation, nextId, snapshot) {
      id = nextId;
      current = snapshot;
      focused = undefined;
      editing = undefined;
      const kind = graph.kinds.get(id)!;
      editable = kind === "input" || kind === "param";
      const value = snapshot.values[id];
      const [rows, cols] = value.shape;
      const node = graph.nodes.find((n) => n.id === id);
      const shape = graph.shapes.get(id)!.join("×");
      const equations = explanation.nodes.flatMap((n) => n.backward.filter((e) => e.target === id).map((e) => ({ from: n.id, ...e })));
      const own = explanation.nodes.find((n) => n.id === id);

      const v = grid(value, "value");
      const g = grid(snapshot.grads[id], "grad");
      valueCells = v.cells;
      gradCells = g.cells;
      shapeNote = h("p", { class: "note" });
      slider = h("input", { type: "range", class: "slider", "data-testid": "slider", disabled: "" }) as HTMLInputElement;
      sliderLabel = h("span", { class: "slider-label" }, ["focus an entry to drive it with the slider"]);
      slider.addEventListener("input", () => {
        if (focused) actions.setEntry(id, focused.row, focused.col, slider.value);
      });
      // Re-centre on release, after the redraw the last input queued (a microtask) has updated the cells.
      slider.addEventListener("change", () => queueMicrotask(aimSlider));

      const children: (Node | string)[] = [
        h("h2", {}, [h("span", { class: "tensor-id" }, [id]), h("span", { class: `tensor-kind kind-${kind}` }, [node ? `${node.op}(${node.in.join(", ")})` : kind]), h("span", { class: "tensor-shape" }, [shape === `${rows}×${cols}` ? shape : `${shape} = ${rows}×${cols}`])]),
      ];
      if (own) children.push(h("p", { class: "equation" }, [own.forward, own.oneOverM ? h("span", { class: "badge" }, ["×1/m"]) : ""]));
      if (equations.length) {
        children.push(
          h("table", { class: "equations" }, [
            h("thead", {}, [h("tr", {}, [h("th", {}, ["autodiff: dJ/dx"]), h("th", {}, ["course (dls): per-sample dZ, and dW"])])]),
            h("tbody", {}, equations.map((e) => h("tr", {}, [h("td", {}, [e.autodiff]), h("td", {}, [e.dls, e.mPower.dls < 0 ? h("span", { class: "badge" }, ["1/m"]) : ""])]))),
          ]),
        );
      }
      children.push(
        h("div", { class: "matrices" }, [
          h("div", {}, [h("h3", {}, ["value", editable ? h("small", {}, [" — click an entry, type a number, Enter"]) : ""]), v.table]),
          h("div", {}, [h("h3", { class: "grad-title" }, [`gradient dJ/d${id}`]), g.table]),
        ]),
        shapeNote,
      );
      if (editable) {
        const box = h("textarea", { class: "json", rows: "3", spellcheck: "false", placeholder: `${rows}×${cols} as nested arrays, e.g. ${example(rows, cols)}`, "data-testid": "json" }) as HTMLTextAreaElement;
        const copy = h("button", { type: "button" }, ["Copy current"]);
        copy.addEventListener("click", () => {
          const t = current.values[id];
          box.value = t.data.length <= MAX_JSON_ELEMENTS ? JSON.stringify(rowsOf(t)) : "";
          if (t.data.length > MAX_JSON_ELEMENTS) box.placeholder = `${id} has ${t.data.length} entries: too many to copy here`;
        });
        const set = h("button", { type: "button", class: "primary", "data-testid": "json-set" }, [`Set ${id}`]);
        set.addEventListener("click", () => actions.setTensor(id, box.value));
        children.push(h("div", { class: "slider-row" }, [slider, sliderLabel]), h("div", { class: "json-row" }, [box, h("div", { class: "json-buttons" }, [set, copy])]));
      }
      root.replaceChildren(...children.map((c) => (typeof c === "string" ? document.createTextNode(c) : c)));
      this.update(snapshot);
    },
    update(snapshot) {
      current = snapshot;
      const value = snapshot.values[id];
      if (!value) return;
      fillCells(valueCells, value);
      fillCells(gradCells, snapshot.grads[id]);
      const [rows, cols] = value.shape;
      shapeNote.textContent = rows > MAX_ROWS || cols > MAX_COLS ? `showing ${Math.min(rows, MAX_ROWS)}×${Math.min(cols, MAX_COLS)} of ${rows}×${cols}${editable ? "; set the whole tensor as JSON below" : ""}` : "";
      if (focused && focused.input !== document.activeElement && document.activeElement !== slider) focused = undefined;
      if (focused && document.activeElement !== slider) aimSlider();
    },
  };
}

function rowsOf(t: Tensor): number[][] {
  const [r, c] = t.shape;
  return Array.from({ length: r }, (_, i) => Array.from(t.data.subarray(i * c, (i + 1) * c)));
}

function example(rows: number, cols: number): string {
  if (rows * cols > 6) return "[[0.1, 0.2, …], …]";
  return JSON.stringify(Array.from({ length: rows }, () => Array.from({ length: cols }, () => 0)));
}

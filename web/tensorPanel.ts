/**
 * The panel for the selected id: its value (editable entry by entry for inputs and params, with a slider
 * that drives the last focused entry, or whole as JSON) and its gradient dJ/d(id), each as a scrolling
 * grid of every entry, with the equations that form that gradient in both conventions.
 *
 * The slider belongs to an entry, not to a cell's keyboard focus: after steps, edits, resets and new
 * batches it shows that entry's current value and still drives it; when the entry no longer exists (a
 * smaller m) it is cleared and disabled.
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
import { createTensorGrid, type TensorGrid } from "./tensorGrid.ts";

export interface TensorActions {
  setEntry(id: string, row: number, col: number, text: string): void;
  setTensor(id: string, json: string): void;
}

export interface TensorPanel {
  show(graph: Graph, explanation: Explanation, id: string, snapshot: Snapshot): void;
  update(snapshot: Snapshot): void;
}

/** Tensors up to this many elements can be copied into the JSON box. */
const MAX_JSON_ELEMENTS = 4096;
const SLIDER_HINT = "focus an entry to drive it with the slider";

export function createTensorPanel(root: HTMLElement, actions: TensorActions): TensorPanel {
  let id = "";
  let editable = false;
  let grids: { value: TensorGrid; grad: TensorGrid } | undefined;
  /** The entry the slider drives. */
  let entry: { row: number; col: number } | undefined;
  /** Why the slider drives nothing, when its entry went away: kept until another entry is focused. */
  let gone: string | undefined;
  /** The pointer is on the slider: its range and value are the user's until release. */
  let dragging = false;
  let slider: HTMLInputElement | undefined;
  let sliderLabel: HTMLElement | undefined;
  let shapeNote: HTMLElement;
  let current: Snapshot;

  window.addEventListener("pointerup", () => (dragging = false));
  window.addEventListener("pointercancel", () => (dragging = false));

  /** Shows the driven entry's current value; re-centres the range on it unless the user is dragging. */
  function syncSlider(recentre: boolean): void {
    if (!slider || !sliderLabel) return;
    const t = current.values[id];
    const [rows, cols] = t.shape;
    if (entry && (entry.row >= rows || entry.col >= cols)) {
      gone = `${id}[${entry.row}][${entry.col}] is gone: ${id} is now ${rows}×${cols}; ${SLIDER_HINT}`;
      entry = undefined;
    }
    if (!entry) {
      // Later redraws (a new layout, the next update) must not wipe out why the slider stopped.
      slider.disabled = true;
      sliderLabel.textContent = gone ?? SLIDER_HINT;
      return;
    }
    const x = t.data[entry.row * cols + entry.col];
    if (!dragging && (recentre || !(x >= Number(slider.min) && x <= Number(slider.max)))) {
      const reach = Math.max(1, 2 * Math.abs(x));
      slider.min = String(x - reach);
      slider.max = String(x + reach);
      slider.step = String(reach / 500);
    }
    if (!dragging) slider.value = String(x);
    slider.disabled = false;
    sliderLabel.textContent = `${id}[${entry.row}][${entry.col}] = ${formatNumber(x, 8)}`;
  }

  function sliderRow(): HTMLElement {
    slider = h("input", { type: "range", class: "slider", "data-testid": "slider", disabled: "", "aria-label": "value of the focused entry" }) as HTMLInputElement;
    sliderLabel = h("span", { class: "slider-label", "data-testid": "slider-label" }, [SLIDER_HINT]);
    slider.addEventListener("pointerdown", () => (dragging = true));
    slider.addEventListener("input", () => {
      if (entry) actions.setEntry(id, entry.row, entry.col, slider!.value);
    });
    slider.addEventListener("change", () => {
      dragging = false;
      syncSlider(true);
    });
    return h("div", { class: "slider-row" }, [slider, sliderLabel]);
  }

  function jsonRow(rows: number, cols: number): HTMLElement {
    const box = h("textarea", { class: "json", rows: "2", spellcheck: "false", placeholder: `${rows}×${cols} as nested arrays, e.g. ${example(rows, cols)}`, "data-testid": "json" }) as HTMLTextAreaElement;
    const copy = h("button", { type: "button" }, ["Copy current"]);
    copy.addEventListener("click", () => {
      const t = current.values[id];
      box.value = t.data.length <= MAX_JSON_ELEMENTS ? JSON.stringify(rowsOf(t)) : "";
      if (t.data.length > MAX_JSON_ELEMENTS) box.placeholder = `${id} has ${t.data.length} entries: too many to copy here; edit them in the grid`;
    });
    const set = h("button", { type: "button", class: "primary", "data-testid": "json-set" }, [`Set ${id}`]);
    set.addEventListener("click", () => actions.setTensor(id, box.value));
    return h("div", { class: "json-row" }, [box, h("div", { class: "json-buttons" }, [set, copy])]);
  }

  return {
    show(graph, explanation, nextId, snapshot) {
      id = nextId;
      current = snapshot;
      entry = undefined;
      gone = undefined;
      dragging = false;
      const kind = graph.kinds.get(id)!;
      editable = kind === "input" || kind === "param";
      const [rows, cols] = snapshot.values[id].shape;
      const node = graph.nodes.find((n) => n.id === id);
      const shape = graph.shapes.get(id)!.join("×");
      const equations = explanation.nodes.flatMap((n) => n.backward.filter((e) => e.target === id).map((e) => ({ from: n.id, ...e })));
      const own = explanation.nodes.find((n) => n.id === id);

      grids = {
        value: createTensorGrid({
          kind: "value",
          id,
          editable,
          onFocusEntry: (row, col) => {
            entry = { row, col };
            gone = undefined;
            syncSlider(true);
          },
          onCommit: (row, col, text) => actions.setEntry(id, row, col, text),
        }),
        grad: createTensorGrid({ kind: "grad", id, editable: false }),
      };
      shapeNote = h("p", { class: "note" });
      const children: Node[] = [
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
          h("div", { class: "matrix-block" }, [h("h3", {}, ["value", editable ? h("small", {}, [" — click an entry, type a number, Enter"]) : ""]), grids.value.element]),
          h("div", { class: "matrix-block" }, [h("h3", { class: "grad-title" }, [`gradient dJ/d${id}`]), grids.grad.element]),
        ]),
        shapeNote,
      );
      slider = sliderLabel = undefined;
      if (editable) children.push(sliderRow(), jsonRow(rows, cols));
      root.replaceChildren(...children);
      this.update(snapshot);
    },
    update(snapshot) {
      current = snapshot;
      const value = snapshot.values[id];
      if (!value || !grids) return;
      grids.value.update(value);
      grids.grad.update(snapshot.grads[id]);
      const [rows, cols] = value.shape;
      shapeNote.textContent = rows * cols > 64 ? `${rows}×${cols} = ${rows * cols} entries: scroll the grids to see (and edit) every one` : "";
      syncSlider(true);
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

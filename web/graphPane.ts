/**
 * The graph on the page: the server's elkjs layout drawn by the same renderer as `gradstream render`,
 * redrawn with fresh summaries after each transaction (in place when only the numbers changed), in a pane
 * that fits the whole graph on load (at any width) and can be zoomed (wheel, buttons), panned (drag) and
 * fitted again. A click on a box selects it; a drag does not.
 *
 * The view is a scale k (screen px per drawing unit) and the drawing point at the pane's top-left
 * corner; it becomes the SVG's viewBox, whose aspect always equals the pane's, so nothing is letterboxed
 * out of reach.
 *
 * @example
 * const pane = createGraphPane(el, (id) => select(id));
 * pane.draw(problem.layout, summaries, { m: 4, selected: "W1" });
 * pane.zoom(1.25); pane.fit();
 */
import type { GraphLayout } from "../src/view/layoutGraph.ts";
import type { Summaries } from "../src/view/nodeSummaries.ts";
import { renderSvg, structureKey } from "../src/view/renderSvg.ts";
import { patchGraph } from "./graphPatch.ts";

export interface GraphPane {
  draw(layout: GraphLayout, summaries: Summaries, options: { m: number; selected?: string }): void;
  /** Zooms by `factor` about the pane's centre (or a point in pane px). */
  zoom(factor: number, about?: { x: number; y: number }): void;
  /** The whole graph in view. */
  fit(): void;
}

/** The pane's height: the fitted drawing's, within these bounds (px). */
const MIN_HEIGHT = 220;
const MAX_HEIGHT_SHARE = 0.62;
/** Fitting never enlarges past natural size; zoom reaches from a quarter of the fitted scale to 4×. */
const MAX_SCALE = 4;
/** A pointer that moves less than this (px) between press and release is a click, not a drag. */
const CLICK_SLOP = 4;

export function createGraphPane(container: HTMLElement, onSelect: (id: string) => void): GraphPane {
  let size: { width: number; height: number } | undefined;
  let view = { k: 1, x: 0, y: 0 };
  let fitted = true;
  let drag: { x: number; y: number; view: typeof view; moved: boolean; pointer: number } | undefined;
  let suppressClick = false;
  let drawnLayout: GraphLayout | undefined;
  let drawnKey = "";

  const svg = () => container.querySelector("svg");
  const fitScale = () => (size ? Math.min(1, container.clientWidth / size.width, container.clientHeight / size.height) : 1);

  function apply(): void {
    const el = svg();
    // Not laid out yet (a hidden or detached pane): the ResizeObserver fits once it has a size.
    if (!el || !size || container.clientWidth === 0 || container.clientHeight === 0) return;
    const w = container.clientWidth / view.k;
    const h = container.clientHeight / view.k;
    el.setAttribute("viewBox", `${view.x} ${view.y} ${w} ${h}`);
    el.setAttribute("width", "100%");
    el.setAttribute("height", "100%");
    container.dataset.scale = String(view.k);
  }

  /** Sets the pane's height for the drawing's aspect at the pane's width, then fits. */
  function fit(): void {
    if (!size || container.clientWidth === 0) return;
    const widthScale = Math.min(1, container.clientWidth / size.width);
    const height = Math.max(MIN_HEIGHT, Math.min(size.height * widthScale + 8, window.innerHeight * MAX_HEIGHT_SHARE));
    container.style.height = `${Math.round(height)}px`;
    const k = fitScale();
    // Centred: the drawing's middle at the pane's middle.
    view = { k, x: size.width / 2 - container.clientWidth / (2 * k), y: size.height / 2 - container.clientHeight / (2 * k) };
    fitted = true;
    apply();
  }

  function zoom(factor: number, about = { x: container.clientWidth / 2, y: container.clientHeight / 2 }): void {
    if (!size) return;
    const k = Math.min(MAX_SCALE, Math.max(fitScale() / 4, view.k * factor));
    // The drawing point under `about` stays under it.
    const px = view.x + about.x / view.k;
    const py = view.y + about.y / view.k;
    view = { k, x: px - about.x / k, y: py - about.y / k };
    fitted = false;
    apply();
  }

  container.addEventListener(
    "wheel",
    (event) => {
      event.preventDefault();
      const box = container.getBoundingClientRect();
      zoom(Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.0015)), { x: event.clientX - box.left, y: event.clientY - box.top });
    },
    { passive: false },
  );
  container.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    drag = { x: event.clientX, y: event.clientY, view, moved: false, pointer: event.pointerId };
  });
  container.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.pointer) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < CLICK_SLOP) return;
    if (!drag.moved) {
      drag.moved = true;
      container.setPointerCapture(event.pointerId);
      container.classList.add("panning");
    }
    view = { k: drag.view.k, x: drag.view.x - dx / drag.view.k, y: drag.view.y - dy / drag.view.k };
    fitted = false;
    apply();
  });
  const endDrag = () => {
    if (drag?.moved) suppressClick = true;
    drag = undefined;
    container.classList.remove("panning");
  };
  container.addEventListener("pointerup", endDrag);
  container.addEventListener("pointercancel", endDrag);
  container.addEventListener("click", (event) => {
    if (suppressClick) {
      suppressClick = false;
      return;
    }
    const box = (event.target as Element).closest("[data-id]");
    if (box) onSelect(box.getAttribute("data-id")!);
  });
  let lastWidth = 0;
  new ResizeObserver(() => {
    // A new width re-fits a graph the user has not zoomed or panned; the height it sets is not a reason to.
    if (container.clientWidth === lastWidth) return;
    lastWidth = container.clientWidth;
    if (fitted) fit();
    else apply();
  }).observe(container);

  return {
    draw(layout, summaries, { m, selected }) {
      const options = { summaries, m, selected, header: false };
      const key = structureKey(layout, options);
      const drawn = svg();
      if (drawn && layout === drawnLayout && key === drawnKey) {
        patchGraph(drawn, layout, { summaries, m });
        return;
      }
      drawnLayout = layout;
      drawnKey = key;
      container.innerHTML = renderSvg(layout, options);
      const el = svg()!;
      const natural = { width: el.viewBox.baseVal.width, height: el.viewBox.baseVal.height };
      const changed = !size || natural.width !== size.width || natural.height !== size.height;
      size = natural;
      if (changed && fitted) fit();
      else apply();
    },
    zoom,
    fit,
  };
}
